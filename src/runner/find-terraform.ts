/**
 * Which Terraform the runner drives: `SLIPWAY_TERRAFORM` (a path or a command name), else
 * `terraform`, else OpenTofu's `tofu`, on the PATH. Its version is asked once (`version -json`,
 * which both print with a `terraform_version` field) and must be at least 1.6: the oldest release
 * whose `plan -out`/`show -json`/`apply <plan>` and `pg` backend (advisory locks, workspaces from
 * TF_WORKSPACE, PG_CONN_STR) behave as the runner relies on.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { RunnerError } from './runner-error.ts';

export type TerraformBinary = { path: string; name: 'terraform' | 'tofu'; version: string };

export const minimumVersion = [1, 6, 0] as const;

/** The binary, or why there is none (to be said once); throws RunnerError when one was asked for and is unusable. */
export async function findTerraform(options: { setting?: string; pathEnv?: string }): Promise<{ binary: TerraformBinary } | { missing: string }> {
  const { setting, pathEnv = '' } = options;
  if (setting) {
    const path = setting.includes('/') ? (isExecutable(setting) ? setting : undefined) : onPath(setting, pathEnv);
    if (!path) throw new RunnerError('terraform_not_found', `SLIPWAY_TERRAFORM=${setting}: no executable there${setting.includes('/') ? '' : ' on the PATH'}`);
    return { binary: await checkVersion(path, `SLIPWAY_TERRAFORM=${setting}`) };
  }
  for (const name of ['terraform', 'tofu']) {
    const path = onPath(name, pathEnv);
    if (!path) continue;
    try {
      return { binary: await checkVersion(path, path) };
    } catch (error) {
      if (error instanceof RunnerError) return { missing: error.message };
      throw error;
    }
  }
  return { missing: 'no terraform or tofu on the PATH and SLIPWAY_TERRAFORM is not set' };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, pathEnv: string): string | undefined {
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function checkVersion(path: string, label: string): Promise<TerraformBinary> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(path, ['version', '-json'], { timeout: 20_000, env: { ...process.env, CHECKPOINT_DISABLE: '1' } }));
  } catch (error) {
    throw new RunnerError('terraform_unusable', `${label}: \`version -json\` failed: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  let version: unknown;
  try {
    version = (JSON.parse(stdout) as { terraform_version?: unknown }).terraform_version;
  } catch {
    version = undefined;
  }
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+/.test(version)) {
    throw new RunnerError('terraform_unusable', `${label}: \`version -json\` did not print a terraform_version: is it Terraform or OpenTofu?`);
  }
  const [major, minor] = version.split('.').map(Number) as [number, number];
  if (major < minimumVersion[0] || (major === minimumVersion[0] && minor < minimumVersion[1])) {
    throw new RunnerError('terraform_too_old', `${label} is version ${version}; the runner needs ${minimumVersion.join('.')} or later`);
  }
  return { path, name: basename(path).startsWith('tofu') ? 'tofu' : 'terraform', version };
}
