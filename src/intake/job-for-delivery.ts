/**
 * Which job a webhook delivery becomes, decided at ingest from the event name and a few payload
 * fields (pure, cheap: it runs inside the webhook request). The job carries only the delivery id;
 * its handler reads the stored payload, so a 7 KB body is stored once, not twice.
 *
 * Concurrency keys serialise work that must not interleave, and `supersede` lets the newest queued
 * job for a key cancel older queued ones (running ones finish):
 *  - pushes to the default branch: `push:<repository id>:<ref>` — one production reconcile per repository at a time; a newer
 *    push supersedes an older one still queued. Out-of-order deliveries that do run are stopped by
 *    the reconcile itself (see reconcile-push.ts: never an ancestor of what is deployed).
 *  - pull requests: `pr:<repository id>:<number>` — the newest head wins.
 *  - approvals (`/slipway approve`): the same `pr:` key, so an approval and a re-plan of that PR
 *    never write its comment at the same time, but a job kind of their own
 *    (`github.webhook.approval`): superseding cancels only queued jobs of the same kind, so a new
 *    push never drops an approval.
 *  - pushes to other branches and branch deletions are recorded with an outcome and no job.
 *  - installations: `installation:<id>`, in order, never superseded.
 *  - a check completing on a commit (`check_run`/`check_suite` completed, a `status` that is not
 *    pending) and a press of a check run's button (`check_run.requested_action`):
 *    `commit:<repository id>:<sha>`, never superseded; their handlers only enqueue deploy jobs
 *    (src/deploy/) for the commit's deployments that wait for them.
 */
import { emitterEventNames } from '@octokit/webhooks';
import type { EnqueueInput } from '../jobs/enqueue.ts';

export const webhookJobKind = 'github.webhook';
/** Approvals: handled like any webhook job, but never superseded by the PR's other jobs. */
export const approvalJobKind = 'github.webhook.approval';

export type WebhookJobPayload = { deliveryId: string; event: string; action: string | null };

type Payload = {
  action?: unknown;
  installation?: { id?: unknown };
  repository?: { id?: unknown; default_branch?: unknown };
  ref?: unknown;
  deleted?: unknown;
  number?: unknown;
  issue?: { number?: unknown; pull_request?: unknown };
  comment?: { body?: unknown };
  check_run?: { head_sha?: unknown };
  check_suite?: { head_sha?: unknown };
  sha?: unknown;
  state?: unknown;
};

/**
 * Every payload field the routing below reads, and the door's own (`action`, `installation.id`):
 * all the webhook door takes out of a body (http/read-webhook-json.ts picks these from the text
 * instead of building the whole payload). A field read here must be listed here.
 */
export const routingFields = {
  action: true,
  ref: true,
  deleted: true,
  number: true,
  sha: true,
  state: true,
  installation: { id: true },
  repository: { id: true, default_branch: true },
  issue: { number: true, pull_request: true },
  comment: { body: true },
  check_run: { head_sha: true },
  check_suite: { head_sha: true },
} as const;

/** Every event GitHub documents, as @octokit/webhooks lists them (`push`, `projects_v2_item`, …). */
export const knownEvents: ReadonlySet<string> = new Set(emitterEventNames.filter((name) => !name.includes('.')));

const pullRequestActions = new Set(['opened', 'synchronize', 'reopened', 'ready_for_review', 'closed']);

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * The job for a delivery; without one, the delivery is recorded and acknowledged only, with
 * `outcome` saying why (stored with it).
 */
export type DeliveryRoute = { job: EnqueueInput; outcome?: undefined } | { job?: undefined; outcome: string };

export function jobForDelivery(deliveryId: string, event: string, body: unknown): DeliveryRoute {
  return routeOf(deliveryId, event, body) ?? {
    outcome: knownEvents.has(event) ? `ignored: ${event} events are not handled` : `ignored: ${event} is not an event @octokit/webhooks knows; recorded, not handled`,
  };
}

function jobRoute(deliveryId: string, event: string, action: string | null, concurrencyKey: string, supersede: boolean, kind = webhookJobKind): DeliveryRoute {
  return {
    job: {
      kind,
      payload: { deliveryId, event, action } satisfies WebhookJobPayload,
      concurrencyKey,
      idempotencyKey: `delivery:${deliveryId}`,
      supersede,
    },
  };
}

const ignored = (why: string): DeliveryRoute => ({ outcome: `ignored: ${why}` });

// A handled event without the fields its job is keyed by can never be worked: recorded as such.
const lacks = (event: string, field: string): DeliveryRoute => ignored(`the ${event} payload has no ${field}`);

function routeOf(deliveryId: string, event: string, body: unknown): DeliveryRoute | null {
  const payload = (body && typeof body === 'object' ? body : {}) as Payload;
  const action = typeof payload.action === 'string' ? payload.action : null;
  const repoId = num(payload.repository?.id);
  const installationId = num(payload.installation?.id);

  switch (event) {
    case 'installation':
    case 'installation_repositories':
      return installationId === undefined ? lacks(event, 'installation.id') : jobRoute(deliveryId, event, action, `installation:${installationId}`, false);
    case 'ping':
      return { outcome: 'pong' };
    case 'push': {
      if (repoId === undefined) return lacks(event, 'repository.id');
      if (typeof payload.ref !== 'string') return lacks(event, 'ref');
      const defaultBranch = typeof payload.repository?.default_branch === 'string' ? payload.repository.default_branch : 'main';
      if (payload.ref !== `refs/heads/${defaultBranch}`) return ignored(`push to ${payload.ref}, not the default branch`);
      if (payload.deleted === true) return ignored(`branch ${payload.ref} deleted`);
      return jobRoute(deliveryId, event, action, `push:${repoId}:${payload.ref}`, true);
    }
    case 'pull_request': {
      const n = num(payload.number);
      if (repoId === undefined) return lacks(event, 'repository.id');
      if (n === undefined) return lacks(event, 'number');
      if (!action || !pullRequestActions.has(action)) return ignored(`pull_request.${action} is not handled`);
      return jobRoute(deliveryId, event, action, `pr:${repoId}:${n}`, true);
    }
    case 'issue_comment': {
      const n = num(payload.issue?.number);
      const body = typeof payload.comment?.body === 'string' ? payload.comment.body : '';
      if (repoId === undefined) return lacks(event, 'repository.id');
      if (n === undefined) return lacks(event, 'issue.number');
      if (action !== 'created' || !payload.issue?.pull_request || !/^\s*\/slipway\s+(approve|rollback|preview)\b/m.test(body)) {
        return ignored('not a /slipway approve, rollback or preview comment on a pull request');
      }
      return jobRoute(deliveryId, event, action, `pr:${repoId}:${n}`, false, approvalJobKind);
    }
    case 'check_run':
    case 'check_suite': {
      const sha = (event === 'check_run' ? payload.check_run : payload.check_suite)?.head_sha;
      if (repoId === undefined) return lacks(event, 'repository.id');
      if (typeof sha !== 'string') return lacks(event, `${event}.head_sha`);
      const handled = event === 'check_run' ? ['completed', 'requested_action'] : ['completed'];
      if (!action || !handled.includes(action)) return ignored(`${event}.${action} is not handled`);
      return jobRoute(deliveryId, event, action, `commit:${repoId}:${sha}`, false);
    }
    case 'status': {
      if (repoId === undefined) return lacks(event, 'repository.id');
      if (typeof payload.sha !== 'string') return lacks(event, 'sha');
      if (payload.state === 'pending') return ignored('a pending status changes nothing');
      return jobRoute(deliveryId, event, action, `commit:${repoId}:${payload.sha}`, false);
    }
    default:
      return null;
  }
}
