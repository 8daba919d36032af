/**
 * What the loader says when a `paas.yaml` is wrong: a located, actionable error. Invalid input is a
 * result, never an exception; the only exception here is for callers asking for an environment that
 * the config does not define (a programming or request error, not a file error).
 */

/** One problem in one file. Lines and columns are 1-based; `path` is the field (`services.web.cpu`), `''` for the whole file. */
export type ConfigError = {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
  hint?: string;
};

/** `file:line:col: field: message (hint)`: one line, the form editors and CI logs recognise. */
export function formatConfigError(e: ConfigError): string {
  const field = e.path ? `${e.path}: ` : '';
  const hint = e.hint ? ` (${e.hint})` : '';
  return `${e.file}:${e.line}:${e.column}: ${field}${oneLine(e.message)}${hint ? oneLine(hint) : ''}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** Orders errors by file, then position, then path, so output is stable. */
export function compareConfigErrors(a: ConfigError, b: ConfigError): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/** Thrown by `resolveEnvironment` for an environment the config does not define. */
export class UnknownEnvironmentError extends Error {
  readonly code = 'UNKNOWN_ENVIRONMENT';
  constructor(
    readonly environment: string,
    readonly known: readonly string[],
    reason?: string,
  ) {
    super(reason ?? `unknown environment "${environment}": known environments are ${known.join(', ')}`);
    this.name = 'UnknownEnvironmentError';
  }
}
