/**
 * The `slipway deploy` check run of one deployment, as a job moves it along: created at the job's
 * first report, updated after (its page is the GitHub Deployment's `log_url`). The end of the
 * stored log (redacted by the runner before it was stored) goes in its text.
 */
import { reportCheckRun, type Octokit } from '../github/index.ts';
import type { Plan } from '../plan/types.ts';
import type { Db } from '../store/db.ts';
import { readDeploymentLog } from '../store/deployment-logs.ts';
import type { DeploymentListing } from '../store/deployment-runs.ts';
import type { DeploymentFailure, DeploymentOutputs, DeploymentSettings, DeploymentStatus } from '../store/schema.ts';
import { deployCheckName, deployCheckOutput } from './deploy-check-output.ts';

/** Characters of the log's end shown in the check run (GitHub allows 65,535 in its text). */
const logTailChars = 20_000;

export type DeployCheckReport = {
  status: DeploymentStatus;
  reason?: string | null;
  plan?: Plan;
  outputs?: DeploymentOutputs | null;
  failure?: DeploymentFailure | null;
  withLog?: boolean;
};

export function deployCheckReporter(
  db: Db,
  gh: { octokit: Octokit; owner: string; repo: string },
  deployment: DeploymentListing,
  options: { settings: DeploymentSettings; waitMs?: number | undefined },
) {
  let checkRunId: number | undefined;
  let htmlUrl: string | undefined;
  const name = deployCheckName(deployment.app, deployment.environment, options.settings.githubEnvironment !== deployment.environment);
  // Reports go out in order: one made while Terraform applies must not land after the final one.
  let previous: Promise<unknown> = Promise.resolve();
  return {
    /** Create or update the run; resolves to its page on GitHub. */
    report(input: DeployCheckReport): Promise<string | undefined> {
      const next = previous.catch(() => {}).then(() => send(input));
      previous = next;
      return next;
    },
    /** The run's page, once an earlier report created it (its page does not change). */
    knownUrl(): string | undefined {
      return htmlUrl;
    },
  };

  async function send(input: DeployCheckReport): Promise<string | undefined> {
    const plan = input.plan ?? (deployment.terraformPlan as Plan | null) ?? undefined;
    const logTail = input.withLog ? await tailOfLog(db, deployment.id) : undefined;
    const output = deployCheckOutput({
      app: deployment.app,
      environment: deployment.environment,
      deploymentId: deployment.id,
      sha: deployment.commitSha,
      status: input.status,
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
      ...(plan ? { plan } : {}),
      outputs: input.outputs ?? null,
      failure: input.failure ?? null,
      mode: options.settings.mode,
      after: options.settings.after,
      ...(options.waitMs ? { waitMs: options.waitMs } : {}),
      ...(logTail ? { logTail } : {}),
    });
    const reported = await reportCheckRun(gh.octokit, {
      owner: gh.owner,
      repo: gh.repo,
      headSha: deployment.commitSha,
      name,
      status: output.status,
      ...(output.conclusion ? { conclusion: output.conclusion } : {}),
      title: output.title,
      summary: output.summary,
      ...(output.text ? { text: output.text } : {}),
      externalId: String(deployment.id),
      actions: output.actions,
      ...(checkRunId !== undefined ? { checkRunId } : {}),
    });
    checkRunId = reported.id;
    htmlUrl ??= reported.htmlUrl;
    return htmlUrl;
  }
}

async function tailOfLog(db: Db, deploymentId: number): Promise<string | undefined> {
  const text = (await readDeploymentLog(db, deploymentId)).map((c) => c.text).join('');
  if (text.trim() === '') return undefined;
  if (text.length <= logTailChars) return text.trimEnd();
  const tail = text.slice(-logTailChars);
  return `…\n${tail.slice(tail.indexOf('\n') + 1).trimEnd()}`;
}
