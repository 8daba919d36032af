/**
 * What a preview's plan starts from: its last successful apply while it is up; nothing once it was
 * destroyed (or while it is being destroyed), so a revived preview is planned as new.
 */
import type { Db } from '../store/db.ts';
import { findPreviewByName, lastPreviewApply } from '../store/previews.ts';
import type { Deployment } from '../store/schema.ts';

export const previewTrigger = 'preview';
export const previewDestroyTrigger = 'preview-destroy';

export async function lastPreviewDeployment(db: Db, appId: number, environment: string): Promise<Deployment | undefined> {
  const preview = await findPreviewByName(db, appId, environment);
  if (!preview || preview.state !== 'open') return undefined;
  return lastPreviewApply(db, preview.environmentId);
}
