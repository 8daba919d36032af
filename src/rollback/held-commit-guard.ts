/**
 * What keeps a rolled-back commit out: the push job asks before it plans or applies a commit to an
 * environment (and passes the guard to runDeployment, so a hold placed while it planned still
 * counts). A newer commit is not held, so it deploys again.
 */
import type { GuardVerdict } from '../runner/run-deployment.ts';
import { findCommitHold } from '../store/commit-holds.ts';
import type { Db } from '../store/db.ts';

/** Why the commit must not be deployed to the environment, or undefined. */
export async function commitHeldReason(db: Db, input: { environmentId: number; commitSha: string }): Promise<string | undefined> {
  const hold = await findCommitHold(db, input);
  if (!hold) return undefined;
  return `commit ${input.commitSha.slice(0, 7)} is held (${hold.reason}; by ${hold.actor} at ${hold.createdAt.toISOString()}): auto deploys skip it until a newer commit lands`;
}

/** The same as a `guard` for runDeployment: a held commit ends the run `superseded`, with the reason. */
export function heldCommitGuard(db: Db, input: { environmentId: number; commitSha: string }): () => Promise<GuardVerdict> {
  return async () => {
    const reason = await commitHeldReason(db, input);
    return reason ? { ok: false, reason } : { ok: true };
  };
}
