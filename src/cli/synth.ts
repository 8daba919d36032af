/**
 * `slipway synth [dir] [--env NAME] [--out DIR]`: the Terraform JSON Slipway would apply.
 * Reads every paas.yaml under `dir` (default `.`), resolves the environment (default production)
 * and synthesizes each app in memory. Config errors are reported as `slipway validate` reports
 * them, and nothing is synthesized.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { LoadResult } from '../config/load.ts';
import { configFileName, formatConfigError, loadApps, resolveEnvironment, UnknownEnvironmentError } from '../config/load.ts';
import { SynthError } from '../synth/synth-error.ts';
import { synthesizeLazily } from '../synth/synthesize-lazily.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import type { CliIo } from './io.ts';

export const synthUsage = `Usage: slipway synth [dir | path/to/paas.yaml] [--env NAME] [--out DIR] [--sha SHA] [--state-bucket NAME]

Prints the Terraform JSON for every paas.yaml under dir (default: .).
  --env NAME           environment to synthesize: production (default), a name under
                       environments:, or pr-<number> for a preview
  --out DIR            write DIR/<app name>/cdk.tf.json per app instead of printing
  --sha SHA            commit replacing \${sha} in images (default: latest)
  --state-bucket NAME  S3 bucket for Terraform state (default: slipway-terraform-state)

Output on stdout: with one app, its Terraform JSON document; with several (a monorepo), one
JSON object mapping each paas.yaml path (relative to dir) to its document.
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  let values: { env?: string; out?: string; sha?: string; 'state-bucket'?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        env: { type: 'string' },
        out: { type: 'string' },
        sha: { type: 'string' },
        'state-bucket': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    io.stderr(`slipway synth: ${error instanceof Error ? error.message : String(error)}\n${synthUsage}`);
    return 2;
  }
  if (values.help) {
    io.stdout(synthUsage);
    return 0;
  }
  if (positionals.length > 1) {
    io.stderr(`slipway synth: expected at most one directory, got ${positionals.length}\n${synthUsage}`);
    return 2;
  }

  const shown = positionals[0] ?? '.';
  const target = resolve(io.cwd, shown);
  const kind = await stat(target).then((s) => (s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other'), () => 'missing');
  if (kind === 'missing' || kind === 'other') {
    io.stderr(`slipway synth: ${shown}: no such directory\n`);
    return 1;
  }
  if (kind === 'file' && basename(target) !== configFileName) {
    io.stderr(`slipway synth: ${shown}: expected a directory or a file named ${configFileName}\n`);
    return 1;
  }
  const root = kind === 'file' ? dirname(target) : target;
  const result: LoadResult =
    kind === 'file'
      ? await loadApps(root, {
          listFiles: async () => [configFileName],
          readFile: async (file) => (await import('node:fs/promises')).readFile(resolve(root, file), 'utf8'),
          fileSize: async (file) => (await stat(resolve(root, file))).size,
        })
      : await loadApps(root);

  const display = (file: string) => relative(io.cwd, resolve(root, file)) || file;
  if (result.errors.length > 0) {
    for (const error of result.errors) io.stderr(`${formatConfigError({ ...error, file: display(error.file) })}\n`);
    return 1;
  }
  if (result.apps.length === 0) {
    io.stderr(`slipway synth: no ${configFileName} found under ${shown}\n`);
    return 1;
  }

  const environment = values.env ?? 'production';
  const documents: { file: string; name: string; doc: TerraformJson }[] = [];
  for (const app of result.apps) {
    try {
      const config = resolveEnvironment(app.config, environment);
      documents.push({ file: app.file, name: app.config.name, doc: await synthesizeLazily(config, { sha: values.sha, stateBucket: values['state-bucket'] }) });
    } catch (error) {
      if (error instanceof UnknownEnvironmentError) {
        io.stderr(`${display(app.file)}: ${error.message}\n`);
        return 1;
      }
      if (error instanceof SynthError) {
        io.stderr(`slipway synth: ${display(app.file)}: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  }

  if (values.out !== undefined) {
    const outDir = resolve(io.cwd, values.out);
    for (const { name, doc } of documents) {
      const path = join(outDir, name, 'cdk.tf.json');
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, `${JSON.stringify(doc, null, 2)}\n`);
      io.stdout(`wrote ${relative(io.cwd, path) || path}\n`);
    }
    return 0;
  }
  const output = documents.length === 1 ? documents[0].doc : Object.fromEntries(documents.map(({ file, doc }) => [file, doc]));
  io.stdout(`${JSON.stringify(output, null, 2)}\n`);
  return 0;
}
