import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIo } from './io.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
type WithHelp<O extends Options> = O & { help: { type: 'boolean'; short: 'h' } };
export type ParsedCommandArgs<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: WithHelp<O> }>>;

/**
 * `parseArgs` with the conventions every `slipway` subcommand shares: `--help`/`-h` prints the
 * usage (exit 0), and an unknown option or a missing value prints the message and the usage
 * (exit 2). Returns the parsed arguments, or the exit code when the command should stop.
 */
export function parseCommandArgs<O extends Options>(command: string, args: string[], options: O, usage: string, io: CliIo): ParsedCommandArgs<O> | number {
  let parsed: ParsedCommandArgs<O>;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { ...options, help: { type: 'boolean', short: 'h' } } as WithHelp<O> });
  } catch (error) {
    io.stderr(`slipway ${command}: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(usage);
    return 0;
  }
  return parsed;
}

/** A listing's `--limit`: a whole number 1–1000; NaN after saying what was wrong (the command then exits 2). */
export function parseLimit(command: string, value: string | undefined, io: CliIo): number {
  const limit = Number(value);
  if (Number.isInteger(limit) && limit >= 1 && limit <= 1000) return limit;
  io.stderr(`slipway ${command}: --limit must be a whole number 1–1000, not "${value}"\n`);
  return Number.NaN;
}
