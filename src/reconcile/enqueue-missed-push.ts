/**
 * A default-branch head that no push delivery announced (GitHub never delivered it, or Slipway was
 * down) becomes the push GitHub would have sent: stored as a delivery of Slipway's own (id
 * `reconcile-<repository>-<sha>`) and routed by the intake's own `jobForDelivery`, in the same
 * transaction, through the intake's `writeBatch`. So the job is exactly the one a webhook push
 * enqueues, with the same keys (a webhook for the same push arriving later supersedes or finds
 * nothing to do), and the push job needs no second way in.
 */
import { writeBatch } from '../intake/delivery-writer.ts';
import { jobForDelivery } from '../intake/job-for-delivery.ts';
import type { Db } from '../store/db.ts';

export const zeroSha = '0'.repeat(40);

export type MissedPush = {
  installationId: number;
  repository: { id: number; fullName: string; cloneUrl: string; defaultBranch: string; private: boolean; ownerLogin: string };
  /** The head the tick read before, if any. */
  before: string | null;
  after: string;
};

export function missedPushDeliveryId(repositoryId: number, sha: string): string {
  return `reconcile-${repositoryId}-${sha}`;
}

/** The push event's payload, with the fields the push job reads (parse-event.ts). */
export function missedPushPayload(push: MissedPush): Record<string, unknown> {
  const { repository: r } = push;
  return {
    ref: `refs/heads/${r.defaultBranch}`,
    before: push.before ?? zeroSha,
    after: push.after,
    created: push.before === null,
    deleted: false,
    forced: false,
    commits: [],
    head_commit: null,
    repository: { id: r.id, full_name: r.fullName, name: r.fullName.split('/')[1], clone_url: r.cloneUrl, default_branch: r.defaultBranch, private: r.private, owner: { login: r.ownerLogin } },
    installation: { id: push.installationId },
    sender: { login: 'slipway-reconcile', type: 'Bot' },
  };
}

/** Resolves to whether this call stored it (false: it was enqueued before). */
export async function enqueueMissedPush(db: Db, push: MissedPush): Promise<boolean> {
  const deliveryId = missedPushDeliveryId(push.repository.id, push.after);
  const payload = missedPushPayload(push);
  const route = jobForDelivery(deliveryId, 'push', payload);
  const [result] = await db.transaction((tx) =>
    writeBatch(tx, [{ deliveryId, event: 'push', action: null, installationId: push.installationId, payload, ...(route.job ? { job: route.job } : { outcome: route.outcome }) }]),
  );
  return result!.isNew;
}
