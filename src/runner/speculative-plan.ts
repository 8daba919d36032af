/**
 * A speculative plan: what Terraform would do to an app's environment if this document were
 * applied now — for a pull request, whose plan is shown and never applied. Unlike runDeployment:
 *  - no deployment is recorded and the deploy lock is not taken: a deploy of the same workspace may
 *    run meanwhile, and neither waits for the other;
 *  - Terraform runs with `-lock=false` (state is read, never locked) in a folder of its own under
 *    `<data>/terraform/speculative/`, never the deploy work folder, removed when the plan is read
 *    (with the saved plan `show -json` needs: nothing can apply it);
 *  - state is never written. With the `pg` backend, Terraform would create the app's workspace
 *    on first use, so a workspace that does not exist yet is planned against an empty local state
 *    instead (the same answer: nothing exists). Local state is read from the deploy work folder.
 * Terraform's failures are a result (`ok: false` with the first error, redacted), never thrown:
 * the caller falls back to the inferred diff and says why. A cancelled plan (the signal) stops its
 * command and starts no other; it throws the signal's reason.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TerraformPlanSource } from '../plan/plan-source.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import type { Plan } from '../plan/types.ts';
import type { StateBackend } from '../settings/runner-settings.ts';
import type { DeploymentFailure } from '../store/schema.ts';
import type { Runner } from './create-runner.ts';
import { failureFrom } from './failure-from.ts';
import type { DeploymentLog } from './open-deployment-log.ts';
import { documentFile } from './prepare-work-folder.ts';
import { createRedactor } from './redact.ts';
import { declaredSensitive } from './run-deployment.ts';
import { runTerraform, type TerraformCall, type TerraformRun } from './run-terraform.ts';
import { showPlan } from './show-plan.ts';
import { terraformEnvironment } from './terraform-environment.ts';
import { terraformPlanSource } from './terraform-plan-of.ts';
import { workspaceName, type Workspace } from './workspace.ts';

export type SpeculativePlanInput = {
  workspace: Workspace;
  terraformJson: TerraformJson;
  signal?: AbortSignal;
  /** Values to mask in the failure besides the environment's secrets. */
  secrets?: readonly string[];
  /** Each Terraform process group as it starts (tests check that none is left). */
  onProcessGroup?: (pgid: number) => void;
  /** Longest one command may run (default speculativeTimeoutMs; never longer than the runner's). */
  timeoutMs?: number;
};

export type SpeculativePlanResult =
  | { ok: true; plan: Plan; changes: boolean; source: TerraformPlanSource; timings: Timings }
  | { ok: false; reason: string; failure: DeploymentFailure; timings: Timings };

/** Wall time of the plan and the part spent in Terraform's processes (the rest is Slipway's). */
export type Timings = { totalMs: number; terraformMs: number };

/** Longest reason kept: it is one line of a report. */
const reasonLength = 300;

/**
 * Longest any one command of a speculative plan may run (or the runner's limit, if shorter): a
 * pull request's comment waits for it, and a backend that does not answer should not hold it for
 * the hour an apply may take.
 */
export const speculativeTimeoutMs = 10 * 60_000;

export async function speculativePlan(runner: Runner, input: SpeculativePlanInput): Promise<SpeculativePlanResult> {
  const started = performance.now();
  let terraformMs = 0;
  const timings = (): Timings => ({ totalMs: performance.now() - started, terraformMs });
  const terraformRun = async (step: Parameters<typeof runTerraform>[1], args: string[], options?: Parameters<typeof runTerraform>[3]) => {
    // spawnGroup stops a command when the signal fires; none is started once it has.
    call.signal?.throwIfAborted();
    const t0 = performance.now();
    try {
      return await runTerraform(call, step, args, options);
    } finally {
      terraformMs += performance.now() - t0;
    }
  };
  const name = workspaceName(input.workspace);
  const { env, secrets } = terraformEnvironment({ base: runner.env, cliConfigFile: runner.cliConfigFile, pluginCacheDir: runner.pluginCacheDir, state: runner.state, workspace: name });
  const redactor = createRedactor([...secrets, ...(input.secrets ?? []), ...declaredSensitive(input.terraformJson)]);
  // Init and plan never name the app's pg workspace until it is known to exist (see above).
  const { TF_WORKSPACE: _, ...withoutWorkspace } = env;
  const parent = join(runner.root, 'speculative');
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(join(parent, `${name}-`));
  const limited: Runner = { ...runner, timeoutMs: Math.min(runner.timeoutMs, input.timeoutMs ?? speculativeTimeoutMs) };
  const call: TerraformCall = { runner: limited, dir, env: withoutWorkspace, log: discardLog, ...(input.signal ? { signal: input.signal } : {}), onProcessGroup: (pgid) => input.onProcessGroup?.(pgid) };
  const failed = (run: TerraformRun, failure = failureFrom(run, redactor, limited.timeoutMs)) => ({ ok: false as const, reason: reasonOf(failure), failure, timings: timings() });
  try {
    const planFile = join(dir, 'speculative.tfplan');
    const write = (state: StateBackend | { kind: 'local'; path: string }) => writeFileSync(join(dir, documentFile), JSON.stringify(speculativeDocument(input.terraformJson, state)), { mode: 0o600 });
    const init = () => terraformRun('init', ['init', '-input=false', '-no-color', '-reconfigure', '-lock=false']);
    write(runner.state.kind === 'local' ? { kind: 'local', path: join(runner.root, 'work', name, 'terraform.tfstate') } : runner.state);
    let initialized = await init();
    if (!initialized.ok) return failed(initialized);
    if (runner.state.kind === 'pg') {
      const listed = await terraformRun('init', ['workspace', 'list', '-no-color'], { captureStdout: true });
      if (!listed.ok) return failed(listed);
      if (workspacesIn(listed.stdout).includes(name)) call.env = { ...withoutWorkspace, TF_WORKSPACE: name };
      else {
        // Nothing was ever applied here: an empty state of our own, and the pg backend untouched.
        write({ kind: 'local', path: 'terraform.tfstate' });
        initialized = await init();
        if (!initialized.ok) return failed(initialized);
      }
    }
    const planned = await terraformRun('plan', ['plan', '-input=false', '-json', '-detailed-exitcode', '-lock=false', `-out=${planFile}`], { okExitCodes: [0, 2] });
    if (!planned.ok) return failed(planned);
    const t0 = performance.now();
    const shown = await showPlan(call, planFile).finally(() => (terraformMs += performance.now() - t0));
    if (!('plan' in shown)) return failed(shown.run, shown.failure);
    return {
      ok: true,
      plan: shown.plan,
      changes: planned.exitCode === 2,
      source: terraformPlanSource(runner, { speculative: true }),
      timings: timings(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The document with the backend a speculative plan reads state through. */
function speculativeDocument(doc: TerraformJson, state: StateBackend | { kind: 'local'; path: string }): TerraformJson {
  if (state.kind === 'stack') return doc;
  const backend: Record<string, Record<string, unknown>> = state.kind === 'pg' ? { pg: {} } : { local: { path: 'path' in state ? state.path : 'terraform.tfstate' } };
  return { ...doc, terraform: { ...doc.terraform, backend } };
}

/** `terraform workspace list`: one name a line, the selected one starred. */
function workspacesIn(text: string): string[] {
  return text.split('\n').map((line) => line.replace(/^\s*\*?\s*/, '').trim()).filter(Boolean);
}

/** One line for a report: Terraform's first error, the address it names, the first line of its detail. */
function reasonOf(failure: DeploymentFailure): string {
  const detail = failure.detail?.split('\n').find((line) => line.trim() !== '')?.trim();
  const text = `${failure.message}${failure.address ? ` (${failure.address})` : ''}${detail ? `: ${detail}` : ''}`.replace(/\s+/g, ' ');
  return text.length > reasonLength ? `${text.slice(0, reasonLength - 1)}…` : text;
}

/** Nothing is recorded for a speculative plan: its output is read for errors and dropped. */
const discardLog: DeploymentLog = { line() {}, flush: async () => {}, close: async () => {} };
