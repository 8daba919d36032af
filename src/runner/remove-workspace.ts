/**
 * After a destroy: `terraform state list`; when nothing is left, the workspace goes — with the
 * `pg` backend its row (`workspace delete`, run from `default`: a workspace cannot delete itself),
 * and the work folder (which holds local state). With the `stack` backend (S3) the emptied state
 * object is left where the stack keeps it: Terraform has no command that deletes it. Call it
 * holding the workspace's deploy lock.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Runner } from './create-runner.ts';
import { runTerraform, type TerraformCall, type TerraformRun } from './run-terraform.ts';

export async function removeWorkspaceIfEmpty(call: TerraformCall, runner: Runner, name: string): Promise<{ remaining: string[] } | { run: TerraformRun }> {
  const listed = await runTerraform(call, 'state', ['state', 'list', '-no-color'], { captureStdout: true });
  if (!listed.ok) return { run: listed };
  const remaining = listed.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  if (remaining.length > 0) return { remaining };
  if (runner.state.kind === 'pg') {
    const deleted = await runTerraform({ ...call, env: { ...call.env, TF_WORKSPACE: 'default' } }, 'state', ['workspace', 'delete', '-no-color', name]);
    if (!deleted.ok) return { run: deleted };
  }
  rmSync(join(runner.root, 'work', name), { recursive: true, force: true });
  return { remaining: [] };
}
