/**
 * Plan a pull request's head against production's last applied configuration. What judges the PR
 * is read from the DEFAULT BRANCH (its policy files) and the server, never from the PR head; the
 * head's files are read as data only. A fork's head is fetched through the base repository's
 * `refs/pull/<n>/head` with the base installation's token: no credential reaches the fork.
 */
import type { ConfigError } from '../config/load.ts';
import { GitError } from '../git/index.ts';
import { applyApprovals, approvalAction, builtinRules, rulesForPullRequest, type Approval, type PolicyResult } from '../policy/index.ts';
import { previewEnvironmentName } from '../config/load.ts';
import { capsFor, fitPreview, type PreviewDecision } from '../previews/fit-preview.ts';
import { lastPreviewDeployment } from '../previews/last-preview-deployment.ts';
import { getOrCreateApp } from '../store/apps.ts';
import { previewsOfApp } from '../store/previews.ts';
import { lastAppliedDeployment } from '../store/deployments.ts';
import { auditDetails } from '../store/audit-log.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { SynthError } from '../synth/synth-error.ts';
import type { RecommendationSummary } from '../recommend/index.ts';
import { commentableLines, type CommentableLines } from './commentable-lines.ts';
import { evaluateApp, synthesizeApp, type AppEvaluation } from '../evaluate/evaluate-app.ts';
import { previewPolicyResults } from '../evaluate/preview-policy-results.ts';
import { recommendationsForApp } from './recommendations-for-app.ts';
import { fetchCommit, loadAppsAtCommit, policyFilesAtCommit } from '../commit/read-commit.ts';
import type { RepositoryContext } from './repository-context.ts';
import { speculativeTerraformPlan } from './speculative-terraform-plan.ts';
import type { WebhookContext } from './webhook-context.ts';

export type PullRequestRef = {
  number: number;
  headSha: string;
  headRef: string;
  baseSha: string;
  baseRef: string;
  fork: boolean;
};

export type PullRequestEvaluation = {
  pr: PullRequestRef;
  plans: AppEvaluation[];
  configErrors: ConfigError[];
  /** Every app's policy results, approvals applied. */
  policies: PolicyResult[];
  /** From metric samples in the store, when there are any for an app. */
  recommendations: RecommendationSummary[];
  /** Lines of the suggested files that review comments may sit on; null when unknown (none may). */
  commentableLines: CommentableLines;
  notes: string[];
  /** The apps with `previews.enabled`: each one's plan above is its preview's own, held to its caps. */
  previews: PreviewPlan[];
};

export type PreviewPlan = { appId: number; evaluation: AppEvaluation; decision: PreviewDecision };

/** The fields parse-event.ts checks (`PullRequestFields`), from a payload or the REST API. */
export type PullRequestFields = {
  number: number;
  head: { sha: string; ref: string; repo?: { full_name: string } | null };
  base: { sha: string; ref: string };
};

export function pullRequestRef(pullRequest: PullRequestFields, baseFullName: string): PullRequestRef {
  return {
    number: pullRequest.number,
    headSha: pullRequest.head.sha,
    headRef: pullRequest.head.ref,
    baseSha: pullRequest.base.sha,
    baseRef: pullRequest.base.ref,
    fork: (pullRequest.head.repo?.full_name ?? baseFullName) !== baseFullName,
  };
}

export const prSubject = (repo: RepositoryContext, n: number) => `${repo.fullName}#${n}`;

/** The approvals recorded for a pull request, newest first (written by approve-policy.ts, so of its shape). */
export async function approvalsFor(ctx: WebhookContext, repo: RepositoryContext, n: number): Promise<Approval[]> {
  const details = await auditDetails(ctx.deps.store.db, { action: approvalAction, subject: prSubject(repo, n) });
  return details.filter((d): d is Approval => typeof d?.ruleId === 'string' && typeof d.headSha === 'string' && typeof d.resultFingerprint === 'string');
}

export async function evaluatePullRequest(ctx: WebhookContext, repo: RepositoryContext, pr: PullRequestRef): Promise<PullRequestEvaluation> {
  const { deps } = ctx;
  const db = deps.store.db;
  const notes: string[] = [];
  // Always from the base repository: a fork's head is its refs/pull/<n>/head. A same-repository
  // head branch may be gone (deleted after merge): GitHub keeps refs/pull/<n>/head.
  const head = { repoKey: repo.repoKey, url: repo.cloneUrl, token: repo.token, sha: pr.headSha };
  if (pr.fork) await fetchCommit(deps.git, { ...head, ref: `refs/pull/${pr.number}/head` });
  else {
    try {
      await fetchCommit(deps.git, { ...head, ref: `refs/heads/${pr.headRef}` });
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      await fetchCommit(deps.git, { ...head, ref: `refs/pull/${pr.number}/head` });
    }
  }

  // The base: for the default branch's policies, and for the diff review comments must sit in.
  let baseFetched = true;
  try {
    await fetchCommit(deps.git, { repoKey: repo.repoKey, url: repo.cloneUrl, token: repo.token, sha: pr.baseSha, ref: `refs/heads/${pr.baseRef}` });
  } catch (error) {
    if (!(error instanceof GitError) || pr.baseRef === repo.defaultBranch) throw error;
    baseFetched = false;
    notes.push(`The base ${pr.baseRef}@${pr.baseSha.slice(0, 12)} could not be fetched (${error.message}): suggestions are listed in this comment, not placed inline.`);
  }

  // Policies: the default branch's files only (the PR's base when it targets the default branch).
  let defaultBranchFiles = new Map<string, string>();
  let changedPaths: string[] = [];
  if (pr.baseRef === repo.defaultBranch) {
    defaultBranchFiles = await policyFilesAtCommit(deps.git, repo.repoKey, pr.baseSha);
    changedPaths = await deps.git.changedPaths({ repoKey: repo.repoKey, from: pr.baseSha, to: pr.headSha });
  } else {
    notes.push(`This pull request targets ${pr.baseRef}, not ${repo.defaultBranch}: only built-in and server policies were applied.`);
  }
  const rules = rulesForPullRequest({ builtin: builtinRules(), server: deps.serverPolicies, defaultBranchFiles, changedPaths });
  if (rules.notice) notes.push(rules.notice);
  if (rules.errors.length > 0) {
    notes.push(`Policy files on the default branch have errors; their rules were not applied: ${rules.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('; ')}`);
  }

  const loaded = await loadAppsAtCommit(deps.git, repo.repoKey, pr.headSha);
  if (loaded.apps.length === 0 && loaded.errors.length === 0) notes.push('No paas.yaml at the head of this pull request: nothing to plan.');
  const approvals = await approvalsFor(ctx, repo, pr.number);
  const plans: AppEvaluation[] = [];
  const synthErrors: ConfigError[] = [];
  const recommendations: RecommendationSummary[] = [];
  const previews: PreviewPlan[] = [];
  for (const loadedApp of loaded.apps) {
    let app = loadedApp;
    try {
      recommendations.push(...(await recommendationsForApp(db, { installationId: repo.installationId, repositoryId: repo.repositoryId }, app, deps.now(), { pullRequest: pr.number, commitSha: pr.headSha })));
    } catch (error) {
      notes.push(`Recommendations for ${app.config.name} could not be computed: ${(error as Error).message}`);
    }
    const row = await getOrCreateApp(db, { repositoryId: repo.repositoryId, name: app.config.name, configPath: app.file });
    // With previews on, the PR is planned as its preview (`pr-<n>`): against what the preview has
    // applied (nothing once it was destroyed), held to the preview caps first.
    const previewsOn = app.config.previews?.enabled === true;
    const environment = previewsOn ? previewEnvironmentName(pr.number) : 'production';
    const last = previewsOn ? await lastPreviewDeployment(db, row.id, environment) : await lastAppliedDeployment(db, row.id, 'production');
    let synthesized;
    let decision: PreviewDecision | undefined;
    try {
      if (previewsOn) {
        const others = (await previewsOfApp(db, row.id, ['open'])).filter((p) => p.pullRequest !== pr.number);
        const caps = capsFor(app.config, { maxMonthly: deps.settings.previews?.maxMonthlyUsd }, others.reduce((sum, p) => sum + (p.monthlyUsd ?? 0), 0));
        const fitted = fitPreview({ app, environment, sha: pr.headSha, synthesize: deps.synthesize, caps });
        ({ app, synthesized, decision } = fitted);
      } else synthesized = synthesizeApp({ app, environment, sha: pr.headSha, synthesize: deps.synthesize });
    } catch (error) {
      // Synthesis fails the same way on every retry: reported on the PR like a config error, job done.
      if (!(error instanceof SynthError)) throw error;
      synthErrors.push({ file: app.file, line: 1, column: 1, path: '', message: `Slipway could not synthesize ${app.config.name}: ${error.message}` });
      continue;
    }
    // Terraform's own plan when it can make one; the inferred diff (with the reason) otherwise.
    const terraform = await speculativeTerraformPlan(deps, { workspace: { app: app.config.name, environment }, terraform: synthesized.terraform, signal: ctx.signal });
    const plan: AppEvaluation = evaluateApp({ app, environment, sha: pr.headSha, base: (last?.terraformJson as TerraformJson | null) ?? null, policies: rules, synthesized, ...terraform });
    if (!previewsOn) plan.policies.push(...previewPolicyResults(plan, { pullRequest: pr.number, policies: rules, synthesize: deps.synthesize }));
    plan.policies = applyApprovals(plan.policies, approvals, pr.headSha);
    plans.push(plan);
    if (decision) previews.push({ appId: row.id, evaluation: plan, decision });
  }
  const reviewLines = baseFetched && recommendations.some((r) => r.suggestion)
    ? await commentableLines(deps.git, { repoKey: repo.repoKey, baseSha: pr.baseSha, headSha: pr.headSha, paths: [...new Set(recommendations.flatMap((r) => (r.suggestion ? [r.suggestion.file] : [])))] })
    : null;
  return { pr, plans, configErrors: [...loaded.errors, ...synthErrors], policies: plans.flatMap((p) => p.policies), recommendations, commentableLines: reviewLines, notes, previews };
}
