import { createHmac } from 'node:crypto';

/** The `X-Hub-Signature-256` value GitHub sends: HMAC-SHA256 of the raw body with the webhook secret. */
export function signWebhook(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Headers GitHub sends with a delivery (signature over exactly `body`). */
export function webhookHeaders(secret: string, event: string, body: string | Buffer, deliveryId: string = crypto.randomUUID()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/test',
    'x-github-event': event,
    'x-github-delivery': deliveryId,
    'x-github-hook-id': '1',
    'x-github-hook-installation-target-type': 'integration',
    'x-hub-signature-256': signWebhook(secret, body),
  };
}
