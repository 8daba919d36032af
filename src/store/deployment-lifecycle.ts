/**
 * Which status changes a deployment may make:
 * queued → planning → planned → waiting → applying → succeeded | failed | superseded | interrupted.
 *
 * - A planned or waiting deployment may be planned again (`→ planning`): the runner plans afresh
 *   against the current state before it applies what the push job planned by diffing documents,
 *   and a retried run never applies a plan it did not make itself.
 * - Until it applies, a deployment can be superseded (a newer commit; the head-of-branch guard),
 *   cancelled (a person said no) or fail. While applying, it can still be `superseded`: Terraform
 *   refused a saved plan made stale by another apply, and nothing was changed.
 * - `interrupted`: the process running it stopped (killed, or cancelled mid-run). Nothing re-applies
 *   it; the next run plans afresh.
 * The terminal statuses do not move.
 */
import type { DeploymentStatus } from './schema.ts';

const next: Record<DeploymentStatus, readonly DeploymentStatus[]> = {
  queued: ['planning', 'failed', 'superseded', 'cancelled', 'interrupted'],
  planning: ['planned', 'failed', 'superseded', 'cancelled', 'interrupted'],
  planned: ['planning', 'waiting', 'applying', 'failed', 'superseded', 'cancelled', 'interrupted'],
  waiting: ['planning', 'applying', 'failed', 'superseded', 'cancelled', 'interrupted'],
  applying: ['succeeded', 'failed', 'superseded', 'interrupted'],
  succeeded: [],
  failed: [],
  superseded: [],
  cancelled: [],
  interrupted: [],
};

export function canMoveDeployment(from: DeploymentStatus, to: DeploymentStatus): boolean {
  return next[from].includes(to);
}

export function isFinished(status: DeploymentStatus): boolean {
  return next[status].length === 0;
}
