/**
 * The runner's entry point: take one recorded deployment from `queued` (or `planned`, as the push
 * job records it) to its end, through Terraform. In order:
 *  1. the workspace's deploy lock (waiting for a run of the same app and environment to finish);
 *  2. deployments of this environment a dead process left `applying` become `interrupted`;
 *  3. `planning`: the work folder gets the document (with the configured state backend), `init`
 *     (unless the folder, or an earlier init of the same backend and providers, already did it:
 *     init-work-folder.ts), `plan -out`, `show -json` of that saved plan into the plan model →
 *     `planned`;
 *  4. `approve` (a person, for the CLI) and `guard` (the caller's head-of-branch check), before
 *     applying: a refusal ends the run `cancelled` / `superseded`, nothing applied. The guard is
 *     asked after `approve` when there is one, else as soon as the plan is read;
 *  5. `applying`: `apply` of exactly that saved plan → `succeeded` with the outputs; a plan the
 *     state moved on from → `superseded`; Terraform's error → `failed` with its first error and the
 *     resource address; an interrupt → `interrupted`.
 * Every step's output streams into the deployment's log, redacted. Nothing here throws for
 * Terraform's or the store's failures mid-run: the result says how it ended.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LogFields } from '../ops/log-fields.ts';
import type { Plan } from '../plan/types.ts';
import type { Db } from '../store/db.ts';
import { deploymentLogBytes } from '../store/deployment-logs.ts';
import { findDeployment } from '../store/deployment-runs.ts';
import { isFinished } from '../store/deployment-lifecycle.ts';
import { setDeploymentStatus, type DeploymentUpdate } from '../store/deployments.ts';
import type { HeldLock } from '../store/deploy-locks.ts';
import { StoreError } from '../store/store-error.ts';
import type { DeploymentFailure, DeploymentOutputs, DeploymentStatus } from '../store/schema.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { applyPlan } from './apply-plan.ts';
import type { Runner } from './create-runner.ts';
import { failureFrom, isStalePlan } from './failure-from.ts';
import { initKey } from './init-key.ts';
import { forgetInit, initWorkFolder } from './init-work-folder.ts';
import { interruptAbandoned } from './interrupt-abandoned.ts';
import { openDeploymentLog } from './open-deployment-log.ts';
import { planTerraform } from './plan-terraform.ts';
import { prepareWorkFolder } from './prepare-work-folder.ts';
import { removeWorkspaceIfEmpty } from './remove-workspace.ts';
import { createRedactor } from './redact.ts';
import { CancelRun } from './runner-error.ts';
import type { TerraformCall, TerraformRun } from './run-terraform.ts';
import { showPlan } from './show-plan.ts';
import { terraformEnvironment } from './terraform-environment.ts';
import { withStateBackend } from './with-state-backend.ts';
import { workspaceName, type Workspace } from './workspace.ts';

export type RunnerDeps = { db: Db; runner: Runner; log: (message: string, fields?: LogFields) => void };

export type GuardVerdict = { ok: true } | { ok: false; reason: string };

export type RunDeploymentInput = {
  deploymentId: number;
  terraformJson: TerraformJson;
  workspace: Workspace;
  /** Checked right before applying (e.g. "this commit is still the head of the default branch"). */
  guard?: () => Promise<GuardVerdict>;
  /** Asked when the plan has changes: true applies it, a string is why not (the run ends `cancelled`). */
  approve?: (plan: Plan) => Promise<true | string>;
  /** Stop at `planned` (nothing applied). */
  planOnly?: boolean;
  /**
   * Destroy everything the workspace's state holds (`plan -destroy`, then apply that plan). Once
   * applied, the state is listed: when it is empty the workspace is removed (remove-workspace.ts);
   * anything left is a `failed` run naming what is left.
   */
  destroy?: boolean;
  /** Abort with a CancelRun to choose the status; see CancelRun for what an abort stops. */
  signal?: AbortSignal;
  /** Values to mask in the log besides the environment's secrets and what Terraform marks sensitive. */
  secrets?: readonly string[];
  /** Who the status changes are recorded as (default `slipway`). */
  actor?: string;
  /** Each Terraform process group as it starts (tests check that none is left). */
  onProcessGroup?: (pgid: number) => void;
  /** Each status the run records, once recorded (the deploy job reports `applying` on GitHub). */
  onStatus?: (status: DeploymentStatus) => void;
};

export type RunDeploymentResult = {
  deploymentId: number;
  status: DeploymentStatus;
  reason?: string;
  plan?: Plan;
  /** Whether the plan had changes. */
  changes?: boolean;
  /** A destroy's: whether the workspace was removed (its state was empty). */
  workspaceRemoved?: boolean;
  outputs?: DeploymentOutputs;
  failure?: DeploymentFailure;
  /** Wall time of the run and the part spent in Terraform's processes (the rest is Slipway's). */
  timings: { totalMs: number; terraformMs: number };
};

export async function runDeployment(deps: RunnerDeps, input: RunDeploymentInput): Promise<RunDeploymentResult> {
  const { db, runner } = deps;
  const started = performance.now();
  let terraformMs = 0;
  const id = input.deploymentId;
  const actor = input.actor ?? 'slipway';
  const name = workspaceName(input.workspace);
  const { env, secrets } = terraformEnvironment({ base: runner.env, cliConfigFile: runner.cliConfigFile, pluginCacheDir: runner.pluginCacheDir, state: runner.state, workspace: name });
  const redactor = createRedactor([...secrets, ...(input.secrets ?? []), ...declaredSensitive(input.terraformJson)]);
  const log = openDeploymentLog(db, id, {
    redactor,
    limitBytes: runner.logLimitBytes,
    usedBytes: await deploymentLogBytes(db, id),
    onError: (error) => deps.log(`runner: deployment ${id}: writing its log failed: ${(error as Error).message}`, { deployment: id, level: 'warn' }),
  });
  let lock: HeldLock | undefined;
  let planFile: string | undefined;
  let status: DeploymentStatus = 'queued';
  let plan: Plan | undefined;
  let changes: boolean | undefined;

  const finish = (extra: Partial<RunDeploymentResult> = {}): RunDeploymentResult => ({
    deploymentId: id,
    status,
    ...(plan ? { plan } : {}),
    ...(changes !== undefined ? { changes } : {}),
    ...extra,
    timings: { totalMs: performance.now() - started, terraformMs },
  });
  const move = async (to: DeploymentStatus, reason: string | null = null, fields: DeploymentUpdate = {}) => {
    await setDeploymentStatus(db, { deploymentId: id, status: to, actor, reason, ...fields });
    status = to;
    log.line('runner', `${to}${reason ? `: ${reason}` : ''}`);
    input.onStatus?.(to);
  };
  const cancelStatus = (): { status: 'cancelled' | 'superseded'; reason: string } => {
    const reason = input.signal?.reason;
    if (reason instanceof CancelRun) return { status: reason.status, reason: reason.message };
    return { status: 'cancelled', reason: reason instanceof Error ? reason.message : 'cancelled' };
  };
  const call: TerraformCall = {
    runner,
    dir: '',
    env,
    log,
    ...(input.signal ? { signal: input.signal } : {}),
    onProcessGroup: (pgid) => input.onProcessGroup?.(pgid),
  };
  const timed = async <T,>(step: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await step();
    } finally {
      terraformMs += performance.now() - t0;
    }
  };
  /** A step that did not succeed ends the run: cancelled (before applying) or failed. */
  const stopAfter = async (run: TerraformRun, failure: DeploymentFailure = failureFrom(run, redactor, runner.timeoutMs)) => {
    if (run.stopped === 'cancelled') {
      const cancel = cancelStatus();
      await move(cancel.status, cancel.reason);
      return finish({ reason: cancel.reason });
    }
    await move('failed', failure.message, { failure });
    return finish({ failure });
  };

  try {
    // 1. One run per workspace at a time.
    lock = await runner.locks.tryAcquire(name);
    if (!lock) {
      log.line('runner', `waiting for another run of ${name} to finish`);
      await log.flush();
      lock = await runner.locks.acquire(name, input.signal);
    }
    const current = await findDeployment(db, id);
    if (!current) throw new Error(`deployment ${id} does not exist`);
    status = current.status;
    // 2. Whoever held this lock before and left something applying is gone.
    for (const other of await interruptAbandoned(db, current.environmentId, id)) log.line('runner', `deployment ${other} was left applying by a process that stopped: marked interrupted`);
    if (isFinished(status)) return finish({ reason: `already ${status}` });
    if (status === 'applying') {
      // A retried run of a deployment whose process died mid-apply: its plan is not applied again.
      await move('interrupted', 'a previous attempt was applying when its process stopped; not applied again');
      return finish();
    }
    input.signal?.throwIfAborted();

    // 3. Plan afresh, against the state as it is now.
    if (status !== 'planning') await move('planning');
    const doc = withStateBackend(input.terraformJson, runner.state);
    const work = prepareWorkFolder(runner.root, name, doc, id);
    planFile = work.planFile;
    call.dir = work.dir;
    // `init` only when the folder is not initialised for this document's backend and providers yet.
    const templates = join(runner.root, 'init-templates');
    const key = initKeyOf(runner, doc);
    const init = await timed(() => initWorkFolder(call, { templates, key }));
    if (init.run && !init.run.ok) return await stopAfter(init.run);
    if (init.reused) log.line('init', init.reused === 'folder' ? 'already initialised for this backend and these providers: init skipped' : 'initialised from an earlier init of the same backend and providers: init skipped');
    let planned = await timed(() => planTerraform(call, work.planFile, { destroy: input.destroy === true }));
    if (!planned.ok && init.reused && !planned.stopped) {
      // Terraform refused what was reused (or the plan failed for its own reasons): never trust it twice.
      log.line('runner', 'the plan failed after init was skipped: initialising afresh and planning again');
      forgetInit(work.dir);
      const again = await timed(() => initWorkFolder(call, { templates, key: undefined }));
      if (again.run && !again.run.ok) return await stopAfter(again.run);
      planned = await timed(() => planTerraform(call, work.planFile, { destroy: input.destroy === true }));
    }
    if (!planned.ok) return await stopAfter(planned);
    changes = planned.changes;
    const shown = await timed(() => showPlan(call, work.planFile));
    if (!('plan' in shown)) return await stopAfter(shown.run, shown.failure);
    plan = shown.plan;
    redactor.add(shown.sensitive);
    // 4. Before applying: the caller's guard. With nobody to approve, it is asked while the plan
    // is recorded (it answers from GitHub and the store: no need to wait for the record). After an
    // approval it is asked only then: an approval can take any time, and what the guard looks for
    // (a newer commit, a deployment that went live) can happen meanwhile.
    const asksFirst = Boolean(changes && input.approve);
    const guarding = input.planOnly || asksFirst ? undefined : settled(input.guard?.());
    await move('planned', changes ? null : 'no changes', { terraformPlan: plan });
    if (input.planOnly) return finish();

    // A person's yes (or the policies'), then the guard's.
    if (changes && input.approve) {
      const verdict = await input.approve(plan);
      if (verdict !== true) {
        await move('cancelled', verdict);
        return finish({ reason: verdict });
      }
    }
    const guard = asksFirst ? await input.guard?.() : unwrap(await guarding);
    if (guard && !guard.ok) {
      await move('superseded', guard.reason);
      return finish({ reason: guard.reason });
    }
    input.signal?.throwIfAborted();

    // 5. Exactly the saved plan. A newer commit does not stop an apply in progress.
    await move('applying');
    const applied = await timed(() => applyPlan({ ...call, stopOn: (reason) => !(reason instanceof CancelRun && reason.status === 'superseded') }, work.planFile));
    if (applied.ok) {
      const outputs = applied.outputs ?? {};
      if (input.destroy) {
        // The workspace goes only when nothing is left in it: a resource Terraform could not
        // destroy stays in state, and the run says which.
        const left = await removeWorkspaceIfEmpty(call, runner, name);
        if ('run' in left) return await stopAfter(left.run);
        if (left.remaining.length > 0) {
          const failure: DeploymentFailure = { step: 'state', message: `${left.remaining.length} resource(s) are still in the state after the destroy: ${left.remaining.slice(0, 5).join(', ')}` };
          await move('failed', failure.message, { failure });
          return finish({ failure, workspaceRemoved: false });
        }
        await move('succeeded', 'destroyed; the workspace was removed', { outputs: {} });
        return finish({ outputs: {}, workspaceRemoved: true });
      }
      await move('succeeded', null, { outputs });
      return finish({ outputs });
    }
    if (isStalePlan(applied)) {
      const reason = 'the state changed after this plan was made (Terraform: "Saved plan is stale"); nothing was applied';
      await move('superseded', reason);
      return finish({ reason });
    }
    const failure = failureFrom(applied, redactor, runner.timeoutMs);
    if (applied.stopped === 'cancelled') {
      await move('interrupted', failure.message, { failure });
      return finish({ failure });
    }
    await move('failed', failure.message, { failure });
    return finish({ failure });
  } catch (error) {
    return await endAfterError(error);
  } finally {
    if (planFile) rmSync(planFile, { force: true });
    await log.close();
    await lock?.release();
  }

  async function endAfterError(error: unknown): Promise<RunDeploymentResult> {
    const aborted = input.signal?.aborted && error === input.signal.reason;
    if (error instanceof StoreError && error.code === 'invalid_transition') {
      // Someone else moved it meanwhile (a newer push superseded it): that status stands.
      const now = await findDeployment(db, id).catch(() => undefined);
      if (now) status = now.status;
      log.line('runner', `stopped: the deployment was moved to ${status} by another process`);
      return finish({ reason: `moved to ${status} meanwhile` });
    }
    try {
      if (aborted) {
        const cancel = cancelStatus();
        await move(status === 'applying' ? 'interrupted' : cancel.status, cancel.reason);
        return finish({ reason: cancel.reason });
      }
      const failure: DeploymentFailure = { step: 'runner', message: redactor.redact(error instanceof Error ? error.message : String(error)) };
      deps.log(`runner: deployment ${id} (${name}) failed in the runner: ${failure.message}`, { deployment: id, level: 'error' });
      await move('failed', failure.message, { failure });
      return finish({ failure });
    } catch (recordError) {
      // The store itself is failing: say so, and report the outcome the store could not take.
      deps.log(`runner: deployment ${id} (${name}): could not record its end: ${(recordError as Error).message}`, { deployment: id, level: 'error' });
      return finish({ failure: { step: 'runner', message: redactor.redact(error instanceof Error ? error.message : String(error)) } });
    }
  }
}

/** A promise that never rejects (so nothing is left unhandled when the run stops before awaiting it). */
function settled<T>(promise: Promise<T> | undefined): Promise<{ value: T } | { error: unknown }> | undefined {
  return promise?.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

function unwrap<T>(outcome: { value: T } | { error: unknown } | undefined): T | undefined {
  if (outcome === undefined) return undefined;
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

/** The document's init key, or none when the CLI configuration cannot be read (then `init` always runs). */
function initKeyOf(runner: Runner, doc: TerraformJson): string | undefined {
  let cliConfig: string;
  try {
    cliConfig = readFileSync(runner.cliConfigFile, 'utf8');
  } catch {
    return undefined;
  }
  return initKey({ doc, terraform: { path: runner.terraform.path, version: runner.terraform.version }, cliConfig, state: runner.state });
}

/** Default values of variables the document declares sensitive. */
export function declaredSensitive(doc: TerraformJson): string[] {
  const found: string[] = [];
  for (const variable of Object.values(doc.variable ?? {})) {
    if (variable.sensitive === true && typeof variable.default === 'string') found.push(variable.default);
  }
  return found;
}
