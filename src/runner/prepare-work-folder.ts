/**
 * The work folder of a workspace, under the data folder: `terraform/work/<app>.<env>/`. It keeps
 * `.terraform/` (the initialised backend and provider links) and the dependency lock file between
 * runs, so a warm `init` is quick; each run writes the document to `cdk.tf.json` (the name
 * `cdktf synth` gives it) and its saved plan to `plans/<deployment>-<nonce>.tfplan`. Plans left
 * by earlier runs are removed first: a saved plan is applied only by the run that made it. The
 * folders are private to the service's user: saved plans and local state hold secret values.
 * Call it holding the workspace's deploy lock.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TerraformJson } from '../plan/terraform-json.ts';

export type WorkFolder = { dir: string; planFile: string };

export const documentFile = 'cdk.tf.json';

export function prepareWorkFolder(root: string, workspace: string, doc: TerraformJson, deploymentId: number): WorkFolder {
  const dir = join(root, 'work', workspace);
  rmSync(join(dir, 'plans'), { recursive: true, force: true });
  mkdirSync(join(dir, 'plans'), { recursive: true, mode: 0o700 });
  const file = join(dir, documentFile);
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(doc, null, 2), { mode: 0o600 });
  renameSync(partial, file); // never a half-written document, even if this process dies here
  return { dir, planFile: join(dir, 'plans', `${deploymentId}-${randomBytes(4).toString('hex')}.tfplan`) };
}
