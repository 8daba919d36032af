import { eq } from 'drizzle-orm';
import type { Db } from './db.ts';
import { webhookDeliveries } from './schema.ts';

export type DeliveryInput = {
  deliveryId: string;
  event: string;
  action?: string | null;
  installationId?: number | null;
  payload?: unknown;
};

/**
 * Store a webhook delivery once. Resolves to `{ isNew: false }` for a redelivery of a delivery id
 * already stored, so the caller enqueues its job only the first time (same transaction).
 */
export async function recordDelivery(tx: Db, input: DeliveryInput): Promise<{ isNew: boolean }> {
  const rows = await tx
    .insert(webhookDeliveries)
    .values({
      deliveryId: input.deliveryId,
      event: input.event,
      action: input.action ?? null,
      installationId: input.installationId ?? null,
      payload: input.payload ?? null,
    })
    .onConflictDoNothing({ target: webhookDeliveries.deliveryId })
    .returning({ deliveryId: webhookDeliveries.deliveryId });
  return { isNew: rows.length === 1 };
}

/** Record what became of a delivery once its job ran (e.g. `planned`, `ignored: no paas.yaml`). */
export async function setDeliveryOutcome(tx: Db, deliveryId: string, outcome: string): Promise<void> {
  await tx
    .update(webhookDeliveries)
    .set({ outcome, processedAt: new Date() })
    .where(eq(webhookDeliveries.deliveryId, deliveryId));
}
