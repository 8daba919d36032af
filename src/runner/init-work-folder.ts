/**
 * `terraform init` only when it would do something. Its work depends on nothing but the init key
 * (init-key.ts: binary, CLI configuration, backend, providers), so:
 *  - a work folder initialised under the same key (`.terraform/slipway-init-key`) is left as it
 *    is: a code-only push plans at once;
 *  - a folder initialised under another key, or never, gets a copy of the `.terraform/` and lock
 *    file a first `init` under that key left in `<root>/init-templates/<key>/` (a new app with the
 *    same backend and providers as another starts planning without its own `init`);
 *  - otherwise `init` runs (init-terraform.ts), and what it made becomes the key's template.
 * Reusing is never trusted blindly: Terraform itself refuses to plan with a `.terraform/` whose
 * backend or providers do not match the document, and the runner then initialises afresh and plans
 * again (run-deployment.ts). Templates are written to a temporary folder and renamed into place,
 * so a process that dies half-way leaves none half-made; the selected-workspace file is not
 * copied (TF_WORKSPACE names the workspace).
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initTerraform } from './init-terraform.ts';
import type { TerraformCall, TerraformRun } from './run-terraform.ts';

export type InitOutcome = { run: TerraformRun; reused?: undefined } | { run?: undefined; reused: 'folder' | 'template' };

const keyFile = 'slipway-init-key';
const lockFile = '.terraform.lock.hcl';

export async function initWorkFolder(call: TerraformCall, input: { templates: string; key: string | undefined }): Promise<InitOutcome> {
  const { dir } = call;
  const { key } = input;
  if (key !== undefined) {
    if (readText(join(dir, '.terraform', keyFile)) === key) return { reused: 'folder' };
    const template = join(input.templates, key);
    if (existsSync(template)) {
      forgetInit(dir);
      rmSync(join(dir, '.terraform'), { recursive: true, force: true });
      rmSync(join(dir, lockFile), { force: true });
      copyInit(template, dir);
      return { reused: 'template' };
    }
  }
  forgetInit(dir);
  const run = await initTerraform(call);
  if (run.ok && key !== undefined) {
    mkdirSync(join(dir, '.terraform'), { recursive: true, mode: 0o700 }); // `init` of a document that needs nothing may make none
    writeFileSync(join(dir, '.terraform', keyFile), key);
    saveTemplate(dir, join(input.templates, key));
  }
  return { run };
}

/** The next run of this folder initialises it (a plan failed with what was reused). */
export function forgetInit(dir: string): void {
  rmSync(join(dir, '.terraform', keyFile), { force: true });
}

function copyInit(from: string, to: string): void {
  const selected = join(from, '.terraform', 'environment');
  cpSync(join(from, '.terraform'), join(to, '.terraform'), { recursive: true, verbatimSymlinks: true, filter: (source) => source !== selected });
  if (existsSync(join(from, lockFile))) cpSync(join(from, lockFile), join(to, lockFile));
}

function saveTemplate(dir: string, template: string): void {
  if (existsSync(template)) return;
  const partial = `${template}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(partial, { recursive: true, mode: 0o700 });
    copyInit(dir, partial);
    renameSync(partial, template);
  } catch {
    // Another run saved it first (the rename finds it there), or the disk is full: it is only a cache.
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
