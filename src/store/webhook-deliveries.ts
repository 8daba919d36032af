/**
 * Webhook deliveries: the one way to record them (`insertDeliveries`, which the intake's writer
 * and spool loader use in the transaction that enqueues their jobs), their outcomes, and reads.
 */
import { and, desc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { webhookDeliveries, type WebhookDelivery } from './schema.ts';

export type DeliveryInput = {
  deliveryId: string;
  event: string;
  action: string | null;
  installationId: number | null;
  /** The payload's JSON text as received: stored as is (no re-serialising 7 KB per delivery). */
  payloadText?: string;
  /** Or the payload as a value (no payload: stored as null). */
  payload?: Record<string, unknown>;
  /** Recorded now, with the time, when the delivery needs no job. */
  outcome?: string;
};

/**
 * Store deliveries once each. Resolves to the ids stored by THIS call: a delivery id already
 * stored (a redelivery) is skipped, so the caller enqueues jobs only for these, in the same
 * transaction.
 */
export async function insertDeliveries(tx: Db, rows: readonly DeliveryInput[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const now = new Date();
  const inserted = await tx
    .insert(webhookDeliveries)
    .values(
      rows.map((d) => ({
        deliveryId: d.deliveryId,
        event: d.event,
        action: d.action,
        installationId: d.installationId,
        payload: d.payloadText !== undefined ? sql`${d.payloadText}::jsonb` : (d.payload ?? null),
        ...(d.outcome ? { outcome: d.outcome, processedAt: now } : {}),
      })),
    )
    .onConflictDoNothing({ target: webhookDeliveries.deliveryId })
    .returning({ deliveryId: webhookDeliveries.deliveryId });
  return new Set(inserted.map((r) => r.deliveryId));
}

/** Record what became of a delivery once its job ran (e.g. `planned`, `ignored: no paas.yaml`). */
export async function setDeliveryOutcome(tx: Db, deliveryId: string, outcome: string): Promise<void> {
  await tx
    .update(webhookDeliveries)
    .set({ outcome, processedAt: new Date() })
    .where(eq(webhookDeliveries.deliveryId, deliveryId));
}

export async function findDelivery(tx: Db, deliveryId: string): Promise<WebhookDelivery | undefined> {
  const [row] = await tx.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
  return row;
}

/**
 * A delivery as a job reads it: the payload without a push's `commits`, which no handler reads and
 * which a signed payload can make 12 MB (100,000 commits, issue 13 row 3) that would otherwise be
 * copied out of the store and parsed again on the thread answering webhooks. Stored whole.
 */
export async function findDeliveryForJob(tx: Db, deliveryId: string): Promise<WebhookDelivery | undefined> {
  const [row] = await tx
    .select({ ...getTableColumns(webhookDeliveries), payload: sql`${webhookDeliveries.payload} - 'commits'`.mapWith(webhookDeliveries.payload) })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.deliveryId, deliveryId));
  return row as WebhookDelivery | undefined;
}

/** The newest stored `pull_request` delivery's payload for a repository's PR number (its head sha, without an API call). */
export async function latestPullRequestDelivery(tx: Db, repositoryId: number, number: number): Promise<Record<string, unknown> | undefined> {
  const [row] = await tx
    .select({ payload: webhookDeliveries.payload })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.event, 'pull_request'),
        sql`(${webhookDeliveries.payload} -> 'repository' ->> 'id')::bigint = ${repositoryId}`,
        sql`(${webhookDeliveries.payload} ->> 'number')::int = ${number}`,
      ),
    )
    .orderBy(desc(webhookDeliveries.receivedAt))
    .limit(1);
  return row?.payload ?? undefined;
}
