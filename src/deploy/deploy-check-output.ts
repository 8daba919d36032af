/**
 * The check run a push's deployment reports on its commit, one per app and environment (pure):
 * `slipway deploy` (`slipway deploy: <app>/<environment>` in a repository of several apps). What
 * Terraform planned (the runner's plan), how the run ended, the service URL, the failing resource,
 * and the end of the log (as stored: redacted, bounded). A manual deployment that is planned gets
 * the **Apply** button here too.
 */
import type { CheckAction, CheckConclusion, CheckStatus } from '../github/index.ts';
import { summarizePlan } from '../plan/summarize-plan.ts';
import type { Plan } from '../plan/types.ts';
import type { DeploymentFailure, DeploymentOutputs, DeploymentStatus } from '../store/schema.ts';

export const applyActionId = 'apply';
export const applyAction: CheckAction = { label: 'Apply', description: 'Apply the plan Terraform made', identifier: applyActionId };

export type DeployCheckInput = {
  app: string;
  environment: string;
  deploymentId: number;
  sha: string;
  status: DeploymentStatus;
  reason?: string | null;
  /** The runner's plan (Terraform's `show -json`), once it planned. */
  plan?: Plan;
  outputs?: DeploymentOutputs | null;
  failure?: DeploymentFailure | null;
  mode: 'auto' | 'manual';
  after: readonly string[];
  /** How long a waiting deployment waits for its checks. */
  waitMs?: number;
  /** The end of the deployment's log. */
  logTail?: string;
};

export type DeployCheckOutput = { status: CheckStatus; conclusion?: CheckConclusion; title: string; summary: string; text?: string; actions: CheckAction[] };

export function deployCheckName(app: string, environment: string, manyApps: boolean): string {
  return manyApps ? `slipway deploy: ${app}/${environment}` : 'slipway deploy';
}

export function deployCheckOutput(input: DeployCheckInput): DeployCheckOutput {
  const { app, environment, status } = input;
  const where = `${app} to ${environment}`;
  const lines: string[] = [];
  if (input.plan) lines.push(`Terraform's plan: ${changesOf(input.plan)}.`);
  const url = serviceUrl(input.outputs);
  const logLine = `Log: \`slipway logs ${input.deploymentId}\``;
  const text = input.logTail ? `Last lines of the log (secrets masked):\n\n\`\`\`\n${input.logTail}\n\`\`\`` : undefined;
  const done = (conclusion: CheckConclusion, title: string, more: string[] = []): DeployCheckOutput => ({
    status: 'completed',
    conclusion,
    title,
    summary: [...lines, ...more, '', logLine].join('\n'),
    ...(text ? { text } : {}),
    actions: [],
  });
  switch (status) {
    case 'queued':
    case 'planning':
      return { status: 'in_progress', title: `Planning ${where}`, summary: `Terraform is planning ${where} at ${input.sha.slice(0, 12)}.`, actions: [] };
    case 'applying':
      return { status: 'in_progress', title: `Applying ${where}`, summary: [...lines, `Terraform is applying ${where}.`].join('\n'), actions: [] };
    case 'planned':
      if (input.mode === 'manual') {
        return {
          status: 'completed',
          conclusion: 'neutral',
          title: `Planned ${where}: press Apply to deploy`,
          summary: [...lines, '', `\`deploy: manual\`: nothing is applied until someone with write access presses **Apply**.`, '', logLine].join('\n'),
          actions: [applyAction],
        };
      }
      return { status: 'in_progress', title: `Planned ${where}`, summary: lines.join('\n') || 'Planned.', actions: [] };
    case 'waiting': {
      const wait = input.waitMs ? ` (at most ${minutes(input.waitMs)})` : '';
      return {
        status: 'in_progress',
        title: `Waiting for ${input.after.join(', ')}`,
        summary: [...lines, '', `Applies once ${input.after.map((n) => `\`${n}\``).join(', ')} ${input.after.length > 1 ? 'have' : 'has'} succeeded on ${input.sha.slice(0, 12)}${wait} (\`deploy.after\`).`].join('\n'),
        actions: [],
      };
    }
    case 'succeeded':
      return done('success', `Deployed ${where}`, url ? [`Live at ${url}`] : []);
    case 'failed': {
      const f = input.failure;
      const title = f ? `${f.step === 'apply' ? 'Apply' : f.step === 'runner' ? 'Deployment' : `terraform ${f.step}`} failed${f.address ? ` at ${f.address}` : ''}` : `Not deployed: ${input.reason ?? 'failed'}`;
      const more = f ? [`**${f.step} failed${f.address ? ` at \`${f.address}\`` : ''}:** ${f.message}`, ...(f.detail ? ['', f.detail] : [])] : [input.reason ?? ''];
      return done('failure', title, more);
    }
    case 'superseded':
      return done('skipped', 'Superseded: not applied', [input.reason ?? 'A newer commit is deployed instead.']);
    case 'cancelled':
      return done(input.reason?.startsWith('blocked by policy') ? 'failure' : 'cancelled', `Not applied: ${input.reason ?? 'cancelled'}`);
    case 'interrupted':
      return done('failure', 'Interrupted while applying', [input.reason ?? 'The process applying it stopped; the next push plans afresh.']);
  }
}

/** The service's URL: the first `<service>_url` output (the web services' URLs). */
export function serviceUrl(outputs: DeploymentOutputs | null | undefined): string | undefined {
  for (const [name, output] of Object.entries(outputs ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (name.endsWith('_url') && !output.sensitive && typeof output.value === 'string' && /^https?:\/\//.test(output.value)) return output.value;
  }
  return undefined;
}

function changesOf(plan: Plan): string {
  const counts = summarizePlan(plan.resources) as Record<string, number>;
  const parts = Object.entries(counts).filter(([action, n]) => action !== 'no-op' && n > 0).map(([action, n]) => `${n} to ${action}`);
  return parts.length > 0 ? parts.join(', ') : 'no changes';
}

function minutes(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
