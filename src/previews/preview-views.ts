/** A pull request's previews as the comment shows them, read from the store. */
import { serviceUrl } from '../deploy/deploy-check-output.ts';
import type { Db } from '../store/db.ts';
import { findDeployment } from '../store/deployment-runs.ts';
import { newestDeploymentOf } from '../store/newest-deployment.ts';
import { lastPreviewApply, previewsOfPullRequest } from '../store/previews.ts';
import type { PreviewView } from '../report/preview-section.ts';
import { costSoFar } from './cost-so-far.ts';
import { previewTrigger } from './last-preview-deployment.ts';

export async function previewViews(db: Db, input: { repositoryId: number; pullRequest: number }, now: Date): Promise<PreviewView[]> {
  const views: PreviewView[] = [];
  for (const p of await previewsOfPullRequest(db, input)) {
    const newestId = await newestDeploymentOf(db, p.environmentId);
    const newest = newestId === undefined ? undefined : await findDeployment(db, newestId);
    const applied = await lastPreviewApply(db, p.environmentId);
    const url = applied ? serviceUrl(applied.outputs) : undefined;
    views.push({
      app: p.app,
      environment: p.environment,
      state: p.state,
      ...(newest && newest.trigger === previewTrigger ? { runStatus: newest.status } : {}),
      ...(url ? { url } : {}),
      monthly: p.monthlyUsd,
      costSoFar: costSoFar(p, now),
      expiresAt: p.expiresAt,
      shrunk: p.shrunk ?? [],
      caps: p.caps,
      reason: p.reason,
      retryAt: p.retryAt,
      destroyAttempts: p.destroyAttempts,
    });
  }
  return views;
}
