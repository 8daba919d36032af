/** What a report is made of, and the figures every renderer (markdown, text, JSON) shares. */
import type { CostDiff } from '../cost/types.ts';
import type { PlanSource } from '../plan/plan-source.ts';
import type { Action, Plan, ResourceChange } from '../plan/types.ts';
import type { PolicyResult } from '../policy/types.ts';
import type { RecommendationSummary } from '../recommend/types.ts';
import { plural, signedMoney, signedPercent, money } from './format.ts';

export type ReportApp = {
  name: string;
  environment: string;
  plan: Plan;
  /** Whose plan `plan` is (Terraform's, or inferred by Slipway and why); said under the app's heading. */
  planSource?: PlanSource;
  cost: CostDiff;
  /** sha256 of the desired Terraform JSON document (evaluateApp's configHash), when there is one. */
  configHash?: string;
  /** Extra warnings from the caller (config, synthesis), shown with the stateful-resource ones. */
  warnings?: string[];
};

export type ReportInput = {
  apps: ReportApp[];
  headSha: string;
  policies?: PolicyResult[];
  recommendations?: RecommendationSummary[];
  /**
   * Suggestions that are not review comments on the pull request: their replacement text is shown
   * under the recommendations, after `reason` (said once). Default: every recommendation's.
   */
  suggestionsHere?: { items: RecommendationSummary[]; reason?: string };
  /** The pull request is closed: this is the last plan. */
  final?: boolean;
  notes?: string[];
  /** The previews part (preview-section.ts), already rendered; empty or absent: none. */
  previews?: string;
  /** Characters; GitHub's comment limit by default. */
  maxLength?: number;
};

/** GitHub rejects issue and PR comments longer than this (characters). */
export const githubCommentLimit = 65_536;

/** Resource types that hold data: replacing or destroying one loses it. */
export const statefulTypes: ReadonlySet<string> = new Set([
  'aws_db_instance', 'aws_rds_cluster', 'aws_rds_cluster_instance', 'aws_elasticache_replication_group', 'aws_elasticache_cluster',
  'aws_s3_bucket', 'aws_sqs_queue', 'aws_dynamodb_table', 'aws_efs_file_system', 'aws_ecr_repository', 'aws_secretsmanager_secret',
]);

export type Totals = { counts: Record<Action, number>; before: number; after: number; delta: number; deltaPercent: number | null; usageBased: number; unpriced: number };

export function totals(apps: readonly ReportApp[]): Totals {
  const counts = { create: 0, update: 0, replace: 0, delete: 0, 'no-op': 0, read: 0 } as Record<Action, number>;
  let before = 0;
  let after = 0;
  let usageBased = 0;
  let unpriced = 0;
  for (const app of apps) {
    for (const r of app.plan.resources) counts[r.action]++;
    before += app.cost.before.monthly;
    after += app.cost.after.monthly;
    usageBased += app.cost.after.usageBased.length;
    unpriced += app.cost.after.unpriced.length;
  }
  const delta = after - before;
  return { counts, before, after, delta, deltaPercent: before === 0 ? null : (delta / before) * 100, usageBased, unpriced };
}

/** "3 to create, 1 to replace, 0 to destroy · +$41.20/month (+18%)" */
export function summaryLine(t: Totals): string {
  const c = t.counts;
  const changes = c.create + c.update + c.replace + c.delete;
  const parts = [`${c.create} to create`];
  if (c.update > 0) parts.push(`${c.update} to update`);
  if (c.replace > 0) parts.push(`${c.replace} to replace`);
  parts.push(`${c.delete} to destroy`);
  const plan = changes === 0 ? 'No changes' : parts.join(', ');
  const cost = Math.round(t.delta * 100) === 0
    ? `${money(t.after)}/month${t.before > 0 ? ' (no change)' : ''}`
    : `${signedMoney(t.delta)}/month (${t.deltaPercent === null ? `new: ${money(t.after)}/month` : signedPercent(t.deltaPercent)})`;
  const extra = t.usageBased > 0 ? `, plus usage-based costs` : '';
  return `${plan} · ${cost}${extra}`;
}

export type Warning = { text: string; address?: string; inferred?: boolean; reason?: string };

const kind: Record<string, string> = {
  aws_db_instance: 'database', aws_rds_cluster: 'database cluster', aws_rds_cluster_instance: 'database instance',
  aws_elasticache_replication_group: 'Redis cache', aws_elasticache_cluster: 'cache', aws_s3_bucket: 'bucket',
  aws_sqs_queue: 'queue', aws_dynamodb_table: 'table', aws_efs_file_system: 'file system', aws_ecr_repository: 'image repository',
  aws_secretsmanager_secret: 'secret',
};

/** Replaces and deletes of resources that hold data, then the caller's own warnings. */
export function warningsFor(app: ReportApp): Warning[] {
  const out: Warning[] = [];
  for (const r of app.plan.resources) {
    if ((r.action !== 'replace' && r.action !== 'delete') || r.mode !== 'managed' || !statefulTypes.has(r.type)) continue;
    const what = kind[r.type] ?? 'resource';
    const text = r.action === 'replace'
      ? `will be **replaced**: the ${what} is destroyed and a new, empty one created; its data is lost unless restored`
      : `will be **destroyed** with the data it holds`;
    out.push({ text, address: r.address, inferred: r.replaceInferred === true, reason: r.reason });
  }
  for (const text of app.warnings ?? []) out.push({ text });
  return out;
}

export function countsText(resources: readonly ResourceChange[]): string {
  const c = { create: 0, update: 0, replace: 0, delete: 0 } as Record<string, number>;
  for (const r of resources) if (r.action in c) c[r.action]++;
  return [`${c.create} to create`, `${c.update} to update`, `${c.replace} to replace`, `${c.delete} to destroy`].join(', ');
}

export const actionOrder: Record<Action, number> = { delete: 0, replace: 1, update: 2, create: 3, read: 4, 'no-op': 5 };

export const actionLabel: Record<Action, string> = { create: 'create', update: 'update', replace: 'replace', delete: 'destroy', read: 'read', 'no-op': 'no change' };
export const actionSymbol: Record<Action, string> = { create: '+', update: '~', replace: '-/+', delete: '-', read: '<=', 'no-op': ' ' };

export function policyCounts(policies: readonly PolicyResult[]): string {
  const failing = policies.filter((p) => p.status === 'fail' || p.status === 'error');
  const errors = failing.filter((p) => p.severity === 'error' || p.status === 'error').length;
  const approved = policies.filter((p) => p.status === 'approved').length;
  const passed = policies.filter((p) => p.status === 'pass').length;
  const parts: string[] = [];
  if (failing.length > 0) parts.push(`${failing.length} failed (${plural(errors, 'error')}, ${plural(failing.length - errors, 'warning')})`);
  if (approved > 0) parts.push(`${approved} approved`);
  parts.push(`${passed} passed`);
  return parts.join(', ');
}

/** Failing errors first, then failing warnings, approved, passed; stable by rule id. */
export function sortPolicies(policies: readonly PolicyResult[]): PolicyResult[] {
  const rank = (p: PolicyResult): number =>
    p.status === 'error' ? 0 : p.status === 'fail' ? (p.severity === 'error' ? 1 : 2) : p.status === 'approved' ? 3 : 4;
  return [...policies].sort((a, b) => rank(a) - rank(b) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
}
