/** Redeliveries the tick asked GitHub for: claimed once per delivery guid, then their outcome. */
import { eq, inArray } from 'drizzle-orm';
import type { Db } from './db.ts';
import { redeliveries, webhookDeliveries, type Redelivery } from './schema.ts';

export type RedeliveryClaim = Omit<Redelivery, 'requestedAt' | 'outcome'>;

/**
 * Claim guids for redelivery: resolves to the ones THIS call claimed (a guid claimed before, by
 * this tick or an earlier one, is never asked for again). The outcome is `requesting` until set.
 */
export async function claimRedeliveries(tx: Db, claims: RedeliveryClaim[]): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  const rows = await tx
    .insert(redeliveries)
    .values(claims.map((c) => ({ ...c, outcome: 'requesting' })))
    .onConflictDoNothing({ target: redeliveries.guid })
    .returning({ guid: redeliveries.guid });
  return new Set(rows.map((r) => r.guid));
}

export async function setRedeliveryOutcome(tx: Db, guid: string, outcome: string): Promise<void> {
  await tx.update(redeliveries).set({ outcome }).where(eq(redeliveries.guid, guid));
}

/** Of these delivery guids, the ones Slipway stored (received, even if GitHub saw the answer fail) or already asked to redeliver. */
export async function knownDeliveryGuids(tx: Db, guids: string[]): Promise<Set<string>> {
  if (guids.length === 0) return new Set();
  const [stored, asked] = await Promise.all([
    tx.select({ guid: webhookDeliveries.deliveryId }).from(webhookDeliveries).where(inArray(webhookDeliveries.deliveryId, guids)),
    tx.select({ guid: redeliveries.guid }).from(redeliveries).where(inArray(redeliveries.guid, guids)),
  ]);
  return new Set([...stored, ...asked].map((r) => r.guid));
}

export async function listRedeliveries(tx: Db): Promise<Redelivery[]> {
  return tx.select().from(redeliveries).orderBy(redeliveries.requestedAt);
}

/** Give a claim back (the request did not reach GitHub, or GitHub could not take it now). */
export async function releaseRedelivery(tx: Db, guid: string): Promise<void> {
  await tx.delete(redeliveries).where(eq(redeliveries.guid, guid));
}
