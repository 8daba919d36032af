/** A pull request closed or merged: each of its previews still up is destroyed (start-destroy.ts). */
import type { Deps } from '../deps.ts';
import type { RepositoryContext } from '../reconcile/repository-context.ts';
import { previewsOfPullRequest } from '../store/previews.ts';
import { startDestroy } from './start-destroy.ts';

export async function destroyPreviewsOf(deps: Deps, repo: RepositoryContext, pullRequest: number, reason: string): Promise<string[]> {
  const out: string[] = [];
  for (const preview of await previewsOfPullRequest(deps.store.db, { repositoryId: repo.repositoryId, pullRequest })) {
    if (preview.state === 'destroyed' || preview.state === 'destroying') continue;
    const started = await startDestroy(deps, preview, `destroyed: ${reason}`);
    out.push(`${preview.app}: ${preview.environment} destroy ${started}`);
  }
  return out;
}
