/**
 * `POST /webhooks/github`: the one door GitHub knocks on. In order: size (413), content type (415),
 * signature over the raw bytes with @octokit/webhooks' verification (constant time; the current
 * secret, or the previous one during a rotation: 401 otherwise, and nothing is stored for an
 * unsigned request), delivery headers, nesting (deeper than GitHub ever sends, found before parsing)
 * and JSON (400; checked in one pass that also picks out the few fields the door routes by, the
 * payload itself is never built here), then the delivery and its job are stored in
 * one transaction and answered 202. Any well-formed event name is accepted: one Slipway does not
 * handle (`projects_v2_item`, or one GitHub adds tomorrow) is recorded with an outcome and
 * answered 2xx, so GitHub never lists it as a failed delivery.
 * GitHub aborts a delivery it has no answer to within 10 s
 * (https://docs.github.com/en/webhooks/using-webhooks/best-practices-for-using-webhooks#respond-within-10-seconds),
 * so the request never waits for the work, only for the commit.
 */
import { verifyWithFallback } from '@octokit/webhooks-methods';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { jobForDelivery, routingFields } from '../../intake/job-for-delivery.ts';
import type { DeliveryWriter } from '../../intake/delivery-writer.ts';
import { maxWebhookDepth, nestsDeeperThan } from '../json-depth.ts';
import { readBody } from '../read-body.ts';
import { readWebhookJson, type PickedFields } from '../read-webhook-json.ts';
import { ServiceUnavailableError } from '../service-unavailable.ts';

/** GitHub caps webhook payloads at 25 MB and does not deliver larger ones. */
export const maxWebhookBytes = 25 * 1024 * 1024;

export type WebhookRouteDeps = {
  webhookSecret: string;
  /** The secret being rotated out (`WEBHOOK_SECRET_PREVIOUS`): deliveries signed with it are accepted too. */
  previousWebhookSecret?: string;
  writer: DeliveryWriter;
  maxBodyBytes?: number;
  /**
   * Told every answer: the event (`unknown` until the signature is verified, so unsigned requests
   * cannot invent label values), the outcome and the seconds taken.
   */
  observe?: (event: string, outcome: string, seconds: number) => void;
};

// Fatal: a body that is not UTF-8 has no text the signature could be checked over (GitHub sends
// UTF-8 JSON). A byte-order mark is kept, so the text's bytes are exactly the bytes received.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Event names GitHub sends are lowercase words joined by `_`, digits included (`projects_v2_item`).
 * Anything else (empty, over 64 characters, other characters) cannot be an event: refused.
 */
const wellFormedEvent = /^[a-z][a-z0-9_]{0,63}$/;

export function webhookRoutes(deps: WebhookRouteDeps) {
  const secret = deps.webhookSecret;
  const previous = deps.previousWebhookSecret ? [deps.previousWebhookSecret] : undefined;
  const maxBytes = deps.maxBodyBytes ?? maxWebhookBytes;
  const observe = deps.observe;
  const app = new Hono();

  app.post('/', async (c) => {
    const started = observe ? performance.now() : 0;
    // `unknown` until the signature is verified, so unsigned requests cannot invent label values.
    let event = 'unknown';
    try {
      const contentType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      const form = contentType === 'application/x-www-form-urlencoded';
      if (contentType !== 'application/json' && !form) {
        throw new HTTPException(415, { message: 'expected Content-Type application/json (or application/x-www-form-urlencoded)' });
      }
      const bytes = await readBody(c.req, maxBytes);

      const signature = c.req.header('x-hub-signature-256');
      const raw = signature && bytes.length > 0 ? utf8(bytes) : undefined;
      if (raw === undefined || !(await verifyWithFallback(secret, raw, signature!, previous).catch(() => false))) {
        throw new HTTPException(401, { message: 'missing or invalid X-Hub-Signature-256' });
      }

      const name = c.req.header('x-github-event');
      const deliveryId = c.req.header('x-github-delivery');
      if (!name || !wellFormedEvent.test(name)) throw new HTTPException(400, { message: 'missing or invalid X-GitHub-Event' });
      if (!deliveryId || deliveryId.length > 128) throw new HTTPException(400, { message: 'missing or invalid X-GitHub-Delivery' });
      event = name;

      const { payload, text } = readPayload(raw, form);
      const action = typeof payload.action === 'string' ? payload.action : null;
      const installation = payload.installation as { id?: unknown } | undefined;
      const installationId = typeof installation?.id === 'number' ? installation.id : null;
      const route = jobForDelivery(deliveryId, event, payload);

      let result;
      try {
        // The body's own bytes are the payload's UTF-8 (a JSON body; a form's payload field is decoded text).
        result = await deps.writer.write({ deliveryId, event, action, installationId, payloadText: text, ...(form ? {} : { payloadBytes: bytes }), job: route.job, outcome: route.outcome });
      } catch (error) {
        throw new ServiceUnavailableError('the store cannot take deliveries right now', { cause: error });
      }
      const status = result.isNew ? (route.job ? 'queued' : 'recorded') : 'duplicate';
      observe?.(event, status, (performance.now() - started) / 1000);
      return c.json(result.isNew ? { delivery: deliveryId, status, ...(route.outcome ? { outcome: route.outcome } : {}) } : { delivery: deliveryId, status }, result.isNew ? 202 : 200);
    } catch (error) {
      observe?.(event, outcomeOf(error), (performance.now() - started) / 1000);
      throw error;
    }
  });
  return app;
}

/** The outcome a refused or failed delivery is counted under (app.ts maps the error to its answer). */
function outcomeOf(error: unknown): string {
  if (error instanceof HTTPException) return error.status === 401 ? 'rejected_signature' : 'rejected';
  return error instanceof ServiceUnavailableError ? 'unavailable' : 'error';
}

/**
 * The fields the door routes by, read in one pass over the text that also checks it is a JSON
 * object nested at most `maxWebhookDepth` deep (read-webhook-json.ts). Only a body that pass
 * refuses is looked at again, to say why.
 */
function readPayload(raw: string, form: boolean): { payload: PickedFields; text: string } {
  let text = raw;
  if (form) {
    const field = new URLSearchParams(raw).get('payload');
    if (field === null) throw new HTTPException(400, { message: 'form-encoded delivery without a payload field' });
    text = field;
  }
  const payload = readWebhookJson(text, routingFields, maxWebhookDepth);
  if (payload !== undefined) return { payload, text };
  if (nestsDeeperThan(text, maxWebhookDepth)) {
    throw new HTTPException(400, { message: `body nests deeper than ${maxWebhookDepth} levels: GitHub sends no such payload` });
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
  // (Not reached for any JSON text: the one pass accepts every object within the depth.)
  return { payload: value as PickedFields, text };
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
