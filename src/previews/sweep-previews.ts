/**
 * The reconcile tick's preview step: open previews whose TTL ran out (`previews.ttl` since the
 * last push to their pull request) are destroyed and their pull requests told; destroys that did
 * not finish are started again once their back-off is over. Two indexed reads when there is
 * nothing to do: no Terraform process, no GitHub call (bench/preview-ttl.bench.ts).
 */
import type { Deps } from '../deps.ts';
import { destroyRetriesDue, expiredPreviews } from '../store/previews.ts';
import { postPreviewNotice, refreshPreviewSection } from './preview-notice.ts';
import { startDestroy } from './start-destroy.ts';

export type SweepSummary = { expired: number; retried: number };

export async function sweepPreviews(deps: Pick<Deps, 'store' | 'runner' | 'github' | 'now'>, now: Date): Promise<SweepSummary> {
  const db = deps.store.db;
  const expired = await expiredPreviews(db, now);
  for (const preview of expired) {
    const idle = `${Math.round((now.getTime() - preview.lastPushAt.getTime()) / 3_600_000)} h`;
    await startDestroy(deps, preview, `destroyed: no push for ${idle}, past its TTL of ${formatTtl(preview.ttlSeconds)} (previews.ttl); a new push brings it back`);
    const where = { repository: preview.repository, repositoryId: preview.repositoryId, installationId: preview.installationId, pullRequest: preview.pullRequest };
    await postPreviewNotice(deps, where, `The preview \`${preview.environment}\` of ${preview.app} is being destroyed: no push for ${idle}, past its TTL of ${formatTtl(preview.ttlSeconds)} (\`previews.ttl\`). Push to this pull request to bring it back.`);
    await refreshPreviewSection(deps, where);
  }
  const retries = await destroyRetriesDue(db, now);
  for (const preview of retries) await startDestroy(deps, preview, preview.reason ?? 'destroy tried again');
  return { expired: expired.length, retried: retries.length };
}

function formatTtl(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600}h`;
  return `${Math.round(seconds / 60)}m`;
}
