/**
 * A push to a pull request, for each app with `previews.enabled` (its plan already made as the
 * preview's own and held to the caps: evaluate-pull-request.ts). In order:
 *  1. the preview is recorded: head, push time, TTL (`previews.ttl` from now);
 *  2. a fork's head is never applied unless a writer asked for exactly this head
 *     (`/slipway preview`): it waits, and the comment says how to ask;
 *  3. refused by its caps: not applied (a version already up is taken down: it would be stale);
 *  4. over `previews.maxOpen`: the app's least recently pushed open previews are destroyed, and
 *     their pull requests told why;
 *  5. the deployment is recorded and its deploy job queued (record-push-deployment.ts: the same
 *     path as a push, in the preview's own environment and state workspace).
 * Returns one line per app for the delivery's outcome.
 */
import { durationToSeconds } from '../config/units.ts';
import type { Deps } from '../deps.ts';
import type { PreviewPlan, PullRequestRef } from '../reconcile/evaluate-pull-request.ts';
import { recordPushDeployment } from '../reconcile/record-push-deployment.ts';
import { getOrCreateEnvironment, setEnvironmentRemoved } from '../store/environments.ts';
import { findPreview, previewsOfApp, updatePreview, upsertPreview } from '../store/previews.ts';
import { repriced } from './cost-so-far.ts';
import { postPreviewNotice } from './preview-notice.ts';
import { startDestroy } from './start-destroy.ts';

export async function startPreviews(deps: Deps, pr: PullRequestRef, plans: PreviewPlan[], options: { manyApps: boolean; /** A writer's `/slipway preview` for this head (a fork's). */ approvedBy?: string }): Promise<string[]> {
  const db = deps.store.db;
  const out: string[] = [];
  for (const { appId, evaluation, decision } of plans) {
    const now = deps.now();
    const name = evaluation.app.config.name;
    const previews = evaluation.app.config.previews!;
    const environment = decision.environment;
    // 1. Recorded.
    const env = await getOrCreateEnvironment(db, { appId, name: environment, kind: 'preview', pullRequest: pr.number });
    const before = await findPreview(db, env.id);
    const ttlSeconds = durationToSeconds(previews.ttl);
    const githubEnvironment = options.manyApps ? `${name}/${environment}` : environment;
    await upsertPreview(db, { environmentId: env.id, appId, pullRequest: pr.number, headSha: pr.headSha, fork: pr.fork, lastPushAt: now, ttlSeconds, githubEnvironment });
    const up = before?.state === 'open' || before?.state === 'destroying' || before?.state === 'destroy-failed';
    const figures = { shrunk: decision.shrunk, caps: { ...decision.caps, ...(decision.monthlyBefore !== undefined ? { monthlyBefore: decision.monthlyBefore } : {}) } };
    // The price of what runs changes only when this head is applied: a preview left running keeps its own.
    const shape = before?.state === 'open' ? figures : { ...figures, monthlyUsd: decision.monthly };

    // 2. A fork's code is untrusted: only a writer's `/slipway preview` for this head applies it.
    if (pr.fork && !options.approvedBy) {
      await updatePreview(db, env.id, { state: before?.state === 'open' ? 'open' : 'awaiting-approval', reason: `this pull request comes from a fork: its code is not deployed until a writer comments \`/slipway preview\` (for ${pr.headSha.slice(0, 12)}; each push needs asking again)`, ...shape });
      out.push(`${name}: ${environment} waits for a writer's /slipway preview (fork)`);
      continue;
    }
    // 3. Over its caps, even shrunk.
    if (decision.refused) {
      const reason = `refused: ${decision.refused}`;
      if (before?.state === 'open') {
        await startDestroy(deps, before, reason);
        await updatePreview(db, env.id, { reason, ...figures });
      } else await updatePreview(db, env.id, { state: 'refused', reason, expiresAt: null, ...shape });
      out.push(`${name}: ${environment} ${reason}`);
      continue;
    }
    // 4. Room for one more.
    if (previews.maxOpen !== undefined && before?.state !== 'open') {
      const open = (await previewsOfApp(db, appId, ['open'])).filter((p) => p.environmentId !== env.id);
      for (const oldest of open.slice(0, Math.max(0, open.length - previews.maxOpen + 1))) {
        const why = `destroyed to make room for #${pr.number}: ${name} may have ${previews.maxOpen} preview(s) up at once (previews.maxOpen), and this one had gone longest without a push (last ${oldest.lastPushAt.toISOString()})`;
        await startDestroy(deps, oldest, why);
        await postPreviewNotice(deps, { repository: oldest.repository, installationId: oldest.installationId, pullRequest: oldest.pullRequest }, `The preview \`${oldest.environment}\` of ${name} was ${why}. Push to this pull request to bring it back.`);
        out.push(`${name}: evicted ${oldest.environment}`);
      }
    }
    // 5. Deployed through the push path, in its own environment.
    const deployment = await recordPushDeployment(db, {
      appId,
      evaluation,
      last: undefined,
      githubEnvironment,
      runner: deps.runner !== undefined,
      preview: { pullRequest: pr.number, mode: previews.deploy?.mode ?? 'auto', after: evaluation.config.deploy?.after ?? [], fresh: !up },
    });
    await updatePreview(db, env.id, {
      state: 'open',
      reason: null,
      ...(pr.fork ? { approvedSha: pr.headSha, approvedBy: options.approvedBy ?? null } : {}),
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      retryAt: null,
      destroyAttempts: 0,
      ...figures,
      ...repriced(before ?? { costSoFarUsd: 0, pricedSince: null, monthlyUsd: null }, decision.monthly, now),
    });
    await setEnvironmentRemoved(db, env.id, null);
    out.push(`${name}: ${environment} deployment ${deployment.id} ${deployment.status}`);
  }
  return out;
}
