/**
 * The one error class for bad plan input (a `terraform show -json` file or a saved Terraform JSON
 * document): a code to match on, the file, and the JSON path of the offending value.
 */
export type PlanInputErrorCode = 'invalid-json' | 'not-an-object' | 'unsupported-format' | 'invalid-field' | 'unknown-action';

export class PlanInputError extends Error {
  readonly code: PlanInputErrorCode;
  readonly file: string;
  /** JSON path such as `resource_changes[3].change.actions[0]`; `$` for the document itself. */
  readonly path: string;
  readonly detail: string;

  constructor(code: PlanInputErrorCode, file: string, path: string, detail: string, options?: { cause?: unknown }) {
    super(`${file}: ${path === '$' ? '' : `${path}: `}${detail}`, options);
    this.name = 'PlanInputError';
    this.code = code;
    this.file = file;
    this.path = path;
    this.detail = detail;
  }
}

/** JSON.parse with a located error: the byte offset becomes a line and column when Node gives one. */
export function parseJsonDocument(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    let where = '';
    if (position) {
      const offset = Number(position[1]);
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      where = ` at line ${line}, column ${offset - before.lastIndexOf('\n')}`;
    } else if (/end of JSON input|Unterminated|Unexpected end/i.test(message)) {
      where = ' (the file ends early: truncated?)';
    }
    throw new PlanInputError('invalid-json', file, '$', `not valid JSON${where}: ${message}`, { cause: error });
  }
}
