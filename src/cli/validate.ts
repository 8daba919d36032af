/**
 * `slipway validate [dir]`: check every paas.yaml under `dir` (default `.`), or one file given by
 * path. Valid: one `ok` line per app, exit 0. Invalid: every error on stderr, one per line as
 * `file:line:col: field: message (hint)`, exit 1.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { LoadResult } from '../config/load.ts';
import { configFileName, formatConfigError, loadApps } from '../config/load.ts';
import type { CliIo } from './io.ts';

const usage = 'Usage: slipway validate [dir | path/to/paas.yaml]\n';

export async function run(args: string[], io: CliIo): Promise<number> {
  let positionals: string[];
  try {
    ({ positionals } = parseArgs({ args, allowPositionals: true, options: {} }));
  } catch (error) {
    io.stderr(`slipway validate: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return 2;
  }
  if (positionals.length > 1) {
    io.stderr(`slipway validate: expected at most one directory, got ${positionals.length}\n${usage}`);
    return 2;
  }
  const target = resolve(io.cwd, positionals[0] ?? '.');
  const shown = positionals[0] ?? '.';
  const kind = await stat(target).then((s) => (s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other'), () => 'missing');
  if (kind === 'missing' || kind === 'other') {
    io.stderr(`slipway validate: ${shown}: no such directory\n`);
    return 1;
  }

  let result: LoadResult;
  let root: string;
  if (kind === 'file') {
    if (basename(target) !== configFileName) {
      io.stderr(`slipway validate: ${shown}: expected a directory or a file named ${configFileName}\n`);
      return 1;
    }
    root = dirname(target);
    result = await loadApps(root, { listFiles: async () => [configFileName], readFile: (f) => readText(resolve(root, f)), fileSize: async (f) => (await stat(resolve(root, f))).size });
  } else {
    root = target;
    result = await loadApps(root);
  }

  // Report paths as the user would type them from where they ran the command.
  const display = (file: string) => relative(io.cwd, resolve(root, file)) || file;
  if (result.apps.length === 0 && result.errors.length === 0) {
    io.stderr(`slipway validate: no ${configFileName} found under ${shown}\n`);
    return 1;
  }
  for (const app of result.apps) {
    const services = Object.keys(app.config.services).length;
    const resources = Object.keys(app.config.resources).length;
    io.stdout(`ok ${display(app.file)} (${services} service${services === 1 ? '' : 's'}, ${resources} resource${resources === 1 ? '' : 's'})\n`);
  }
  for (const error of result.errors) io.stderr(`${formatConfigError({ ...error, file: display(error.file) })}\n`);
  return result.errors.length > 0 ? 1 : 0;
}

async function readText(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(path, 'utf8');
}
