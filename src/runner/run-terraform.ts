/**
 * One Terraform command of a run, the runner's way: in its own process group under the time limit
 * (spawn-group.ts), its output streamed into the deployment's log line by line, and what the run
 * needs picked out of it: error diagnostics with their resource addresses, the resource whose
 * apply errored, the outputs. `-json` commands are read through read-ui-line.ts; others as text.
 */
import type { DeploymentOutputs } from '../store/schema.ts';
import type { Runner } from './create-runner.ts';
import type { DeploymentLog } from './open-deployment-log.ts';
import { readUiLine, type UiDiagnostic } from './read-ui-line.ts';
import { spawnGroup, type GroupRunResult } from './spawn-group.ts';

export type Step = 'init' | 'plan' | 'show' | 'apply' | 'state';

export type TerraformCall = {
  runner: Runner;
  dir: string;
  env: Record<string, string>;
  log: DeploymentLog;
  signal?: AbortSignal;
  /** Whether an abort stops this command (an apply is not stopped for a newer commit). */
  stopOn?: (reason: unknown) => boolean;
  /** Each child's process group, as it starts (tests look for leftovers). */
  onProcessGroup?: (pgid: number) => void;
};

export type TerraformRun = GroupRunResult & {
  step: Step;
  ok: boolean;
  errors: UiDiagnostic[];
  erroredAddress?: string;
  outputs?: DeploymentOutputs;
  /** The last lines printed (text commands' errors are found here). */
  lastLines: string[];
};

const keptLines = 40;

export async function runTerraform(call: TerraformCall, step: Step, args: string[], options: { captureStdout?: boolean; okExitCodes?: number[] } = {}): Promise<TerraformRun> {
  const errors: UiDiagnostic[] = [];
  const lastLines: string[] = [];
  let erroredAddress: string | undefined;
  let outputs: DeploymentOutputs | undefined;
  const started = performance.now();
  const result = await spawnGroup(call.runner.terraform.path, args, {
    cwd: call.dir,
    env: call.env,
    timeoutMs: call.runner.timeoutMs,
    graceMs: call.runner.graceMs,
    signal: call.signal,
    stopOn: call.stopOn,
    captureStdout: options.captureStdout,
    onStart: call.onProcessGroup,
    watchdog: call.runner.watchdog,
    onLine(line) {
      if (line.trim() === '') return;
      const read = readUiLine(line);
      if (read.diagnostic?.severity === 'error') errors.push(read.diagnostic);
      if (read.erroredAddress) erroredAddress ??= read.erroredAddress;
      if (read.outputs) outputs = read.outputs;
      call.log.line(step, read.text);
      lastLines.push(read.text);
      if (lastLines.length > keptLines) lastLines.shift();
    },
  });
  const ok = !result.stopped && result.exitCode !== null && (options.okExitCodes ?? [0]).includes(result.exitCode);
  call.runner.observePhase?.(step, ok, (performance.now() - started) / 1000);
  return { ...result, step, ok, errors, lastLines, ...(erroredAddress ? { erroredAddress } : {}), ...(outputs ? { outputs } : {}) };
}
