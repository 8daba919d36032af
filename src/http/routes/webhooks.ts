/**
 * `POST /webhooks/github`: the one door GitHub knocks on. In order: size (413), content type (415),
 * signature over the raw bytes (401 — nothing is stored for an unsigned request), delivery headers
 * and JSON (400), then the delivery and its job are stored in one transaction and answered 202.
 * GitHub aborts a delivery it has no answer to within 10 s
 * (https://docs.github.com/en/webhooks/using-webhooks/best-practices-for-using-webhooks#respond-within-10-seconds),
 * so the request never waits for the work, only for the commit.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { jobForDelivery } from '../../intake/job-for-delivery.ts';
import type { DeliveryWriter } from '../../intake/delivery-writer.ts';
import { readBody } from '../read-body.ts';
import { ServiceUnavailableError } from '../service-unavailable.ts';

/** GitHub caps webhook payloads at 25 MB and does not deliver larger ones. */
export const maxWebhookBytes = 25 * 1024 * 1024;

export type WebhookRouteDeps = {
  webhookSecret: string;
  writer: DeliveryWriter;
  maxBodyBytes?: number;
};

const decoder = new TextDecoder();

export function webhookRoutes(deps: WebhookRouteDeps): Hono {
  const secret = deps.webhookSecret;
  const maxBytes = deps.maxBodyBytes ?? maxWebhookBytes;
  const app = new Hono();

  app.post('/', async (c) => {
    const contentType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const form = contentType === 'application/x-www-form-urlencoded';
    if (contentType !== 'application/json' && !form) {
      throw new HTTPException(415, { message: 'expected Content-Type application/json (or application/x-www-form-urlencoded)' });
    }
    const bytes = await readBody(c.req, maxBytes);

    const signature = c.req.header('x-hub-signature-256');
    if (!signature || bytes.length === 0 || !signatureMatches(secret, bytes, signature)) {
      throw new HTTPException(401, { message: 'missing or invalid X-Hub-Signature-256' });
    }
    const raw = decoder.decode(bytes);

    const event = c.req.header('x-github-event');
    const deliveryId = c.req.header('x-github-delivery');
    if (!event || !/^[a-z_]{1,64}$/.test(event)) throw new HTTPException(400, { message: 'missing or invalid X-GitHub-Event' });
    if (!deliveryId || deliveryId.length > 128) throw new HTTPException(400, { message: 'missing or invalid X-GitHub-Delivery' });

    const { payload, text } = parsePayload(raw, form);
    const action = typeof payload.action === 'string' ? payload.action : null;
    const installation = payload.installation as { id?: unknown } | undefined;
    const installationId = typeof installation?.id === 'number' ? installation.id : null;
    const route = jobForDelivery(deliveryId, event, payload);

    let result;
    try {
      result = await deps.writer.write({ deliveryId, event, action, installationId, payloadText: text, job: route.job, outcome: route.outcome });
    } catch (error) {
      throw new ServiceUnavailableError('the store cannot take deliveries right now', { cause: error });
    }
    return c.json(
      result.isNew
        ? { delivery: deliveryId, status: route.job ? 'queued' : 'recorded', ...(route.outcome ? { outcome: route.outcome } : {}) }
        : { delivery: deliveryId, status: 'duplicate' },
      result.isNew ? 202 : 200,
    );
  });
  return app;
}

function parsePayload(raw: string, form: boolean): { payload: Record<string, unknown>; text: string } {
  let text = raw;
  if (form) {
    const field = new URLSearchParams(raw).get('payload');
    if (field === null) throw new HTTPException(400, { message: 'form-encoded delivery without a payload field' });
    text = field;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HTTPException(400, { message: 'body is not valid JSON' });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HTTPException(400, { message: 'body must be a JSON object' });
  }
  return { payload: value as Record<string, unknown>, text };
}

/** `sha256=<hex HMAC>` over the raw bytes as GitHub sent them, compared in constant time. */
function signatureMatches(secret: string, body: Uint8Array, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
