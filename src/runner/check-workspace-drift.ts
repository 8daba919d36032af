/**
 * Drift of one workspace, Terraform's way, holding the workspace's deploy lock (never beside an
 * apply; a workspace busy with a run is left for the next tick). Against the document last
 * applied, in its work folder with the configured state backend:
 *  1. `plan -refresh-only -detailed-exitcode`: what changed in the real objects since Terraform
 *     last recorded them (`resource_drift`: a console edit of a real resource);
 *  2. `plan -detailed-exitcode`: what applying the desired document would change now (the state
 *     differing from the configuration, whoever changed it: `terraform state` commands included).
 * Nothing is applied and no deployment is recorded; the plans are removed. Output lines are kept
 * in memory (redacted) for the failure, not stored.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { readTerraformPlan } from '../plan/read-terraform-plan.ts';
import type { Plan, ResourceChange } from '../plan/types.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import type { DeploymentFailure } from '../store/schema.ts';
import { failureFrom } from './failure-from.ts';
import { initTerraform } from './init-terraform.ts';
import type { DeploymentLog } from './open-deployment-log.ts';
import { planTerraform, stateLockTimeout } from './plan-terraform.ts';
import { prepareWorkFolder } from './prepare-work-folder.ts';
import { createRedactor } from './redact.ts';
import type { RunnerDeps } from './run-deployment.ts';
import { runTerraform, type TerraformCall } from './run-terraform.ts';
import { sensitiveValues } from './sensitive-values.ts';
import { showPlan } from './show-plan.ts';
import { terraformEnvironment } from './terraform-environment.ts';
import { withStateBackend } from './with-state-backend.ts';
import { workspaceName, type Workspace } from './workspace.ts';

export type WorkspaceDrift =
  | { status: 'busy' }
  | { status: 'checked'; refreshed: ResourceChange[]; plan: Plan; changes: boolean; redact: (text: string) => string; terraformMs: number }
  | { status: 'failed'; failure: DeploymentFailure };

export async function checkWorkspaceDrift(deps: RunnerDeps, input: { workspace: Workspace; terraformJson: TerraformJson; signal?: AbortSignal }): Promise<WorkspaceDrift> {
  const { runner } = deps;
  const name = workspaceName(input.workspace);
  const lock = await runner.locks.tryAcquire(name);
  if (!lock) return { status: 'busy' };
  const started = performance.now();
  const { env, secrets } = terraformEnvironment({ base: runner.env, cliConfigFile: runner.cliConfigFile, pluginCacheDir: runner.pluginCacheDir, state: runner.state, workspace: name });
  const redactor = createRedactor(secrets);
  const lines: string[] = [];
  const log: DeploymentLog = {
    line: (_step, text) => {
      lines.push(redactor.redact(text));
      if (lines.length > 40) lines.shift();
    },
    flush: async () => {},
    close: async () => {},
  };
  const call: TerraformCall = { runner, dir: '', env, log, ...(input.signal ? { signal: input.signal } : {}) };
  let dir: string | undefined;
  try {
    const work = prepareWorkFolder(runner.root, name, withStateBackend(input.terraformJson, runner.state), 0);
    dir = work.dir;
    call.dir = work.dir;
    const failed = (run: Parameters<typeof failureFrom>[0]): WorkspaceDrift => ({ status: 'failed', failure: failureFrom(run, redactor, runner.timeoutMs) });
    const init = await initTerraform(call);
    if (!init.ok) return failed(init);

    const refreshFile = join(work.dir, 'plans', 'drift-refresh.tfplan');
    const refresh = await runTerraform(call, 'plan', ['plan', '-refresh-only', '-input=false', '-json', '-detailed-exitcode', `-lock-timeout=${stateLockTimeout}`, `-out=${refreshFile}`], { okExitCodes: [0, 2] });
    if (!refresh.ok) return failed(refresh);
    let refreshed: ResourceChange[] = [];
    if (refresh.exitCode === 2) {
      const shown = await runTerraform(call, 'show', ['show', '-json', '-no-color', refreshFile], { captureStdout: true });
      if (!shown.ok) return failed(shown);
      const doc = JSON.parse(shown.stdout) as { format_version?: string; resource_drift?: unknown[] };
      redactor.add(sensitiveValues(doc));
      // resource_drift has resource_changes' shape: read it with the same reader.
      const asPlan = JSON.stringify({ format_version: doc.format_version ?? '1.2', resource_changes: doc.resource_drift ?? [] });
      refreshed = readTerraformPlan(asPlan, 'terraform show -json (refresh-only)', { includeNoOp: false }).resources;
    }

    const planned = await planTerraform(call, work.planFile);
    if (!planned.ok) return failed(planned);
    const shown = await showPlan(call, work.planFile);
    if (!('plan' in shown)) return shown.failure ? { status: 'failed', failure: shown.failure } : failed(shown.run);
    redactor.add(shown.sensitive);
    return { status: 'checked', refreshed, plan: shown.plan, changes: planned.changes, redact: redactor.redact, terraformMs: performance.now() - started };
  } catch (error) {
    return { status: 'failed', failure: { step: 'runner', message: redactor.redact(error instanceof Error ? error.message : String(error)), ...(lines.length > 0 ? { detail: lines.slice(-5).join('\n') } : {}) } };
  } finally {
    if (dir) rmSync(join(dir, 'plans'), { recursive: true, force: true });
    await lock.release();
  }
}
