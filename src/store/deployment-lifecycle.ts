/**
 * Which status changes a deployment may make:
 * queued → planning → planned → applying → applied | failed | superseded | cancelled.
 * A deployment not yet applying can be superseded (a newer commit) or cancelled; any unfinished one
 * can fail. The terminal statuses do not move.
 */
import type { DeploymentStatus } from './schema.ts';

const next: Record<DeploymentStatus, readonly DeploymentStatus[]> = {
  queued: ['planning', 'failed', 'superseded', 'cancelled'],
  planning: ['planned', 'failed', 'superseded', 'cancelled'],
  planned: ['applying', 'failed', 'superseded', 'cancelled'],
  applying: ['applied', 'failed'],
  applied: [],
  failed: [],
  superseded: [],
  cancelled: [],
};

export function canMoveDeployment(from: DeploymentStatus, to: DeploymentStatus): boolean {
  return next[from].includes(to);
}

export function isFinished(status: DeploymentStatus): boolean {
  return next[status].length === 0;
}
