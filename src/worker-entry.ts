/**
 * Cloudflare Workers entry: the same Hono app (webhook ingest, health, API v1) at the edge,
 * storing deliveries and jobs in Postgres through a Hyperdrive binding. The job worker does NOT run
 * here — it needs a file system for the git cache and long-running work — so run
 * `slipway serve` with `SLIPWAY_ROLE=worker` on a Node host against the same Postgres; it claims
 * the jobs this entry enqueues. Migrations are applied by that host (`slipway migrate`), not here.
 *
 * Workers forbid one request from awaiting I/O started by another, so each request gets its own
 * Postgres client and its own delivery writer (no cross-request group commit), closed after the
 * response with `waitUntil`. See docs/github-app.md ("Cloudflare Workers"). For the same reason
 * the API's per-token rate limit (a count in memory) does not hold here: put Cloudflare's rate
 * limiting rules in front of `/api/v1` instead. test/ops/workerd.test.ts runs this file in workerd.
 */
import pg from 'pg';
import { createHttpApp } from './http/app.ts';
import { createDeliveryWriter } from './intake/delivery-writer.ts';
import { postgresClientDb } from './store/postgres-client-db.ts';

export type WorkerEnv = {
  /** Hyperdrive binding in front of the Postgres server (wrangler.toml `[[hyperdrive]]`). */
  HYPERDRIVE: { connectionString: string };
  /** `wrangler secret put WEBHOOK_SECRET` */
  WEBHOOK_SECRET: string;
  /** Optional, during a rotation: `wrangler secret put WEBHOOK_SECRET_PREVIOUS` (the old secret). */
  WEBHOOK_SECRET_PREVIOUS?: string;
  /** Optional: `wrangler secret put SLIPWAY_API_TOKEN`, an admin API token (issued tokens work without it). */
  SLIPWAY_API_TOKEN?: string;
};

type ExecutionContext = { waitUntil(promise: Promise<unknown>): void };

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    const client = new pg.Client({ connectionString: env.HYPERDRIVE.connectionString });
    try {
      await client.connect();
    } catch {
      return Response.json({ error: 'the store is unreachable' }, { status: 503, headers: { 'retry-after': '30' } });
    }
    const db = postgresClientDb(client);
    const app = createHttpApp({
      db,
      webhookSecret: env.WEBHOOK_SECRET,
      ...(env.WEBHOOK_SECRET_PREVIOUS ? { previousWebhookSecret: env.WEBHOOK_SECRET_PREVIOUS } : {}),
      ...(env.SLIPWAY_API_TOKEN ? { apiToken: env.SLIPWAY_API_TOKEN } : {}),
      writer: createDeliveryWriter(db),
      log: (message) => console.error(message),
    });
    try {
      return await app.fetch(request);
    } finally {
      ctx.waitUntil(client.end().catch(() => {}));
    }
  },
};
