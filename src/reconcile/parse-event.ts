/**
 * Each handled event is parsed once, at the start of its job, into GitHub's payload type (the
 * @octokit/webhooks types). The fields its handler reads are checked first; a payload without one
 * of them can never be worked, so it is a PermanentSkip naming the field — recorded as the
 * delivery's outcome, never a crash, never retried.
 */
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { z } from 'zod';
import { isRepositoryFullName } from '../github/clone-url.ts';
import { PermanentSkip } from './webhook-context.ts';

export type HandledEvent = 'push' | 'pull_request' | 'issue_comment' | 'installation' | 'installation_repositories' | 'check_run' | 'check_suite' | 'status';


const id = z.number().int().positive();
const sha = z.string().regex(/^[0-9a-f]{40}$/, 'a 40-character commit sha');
const installation = z.looseObject({ id });
const account = z.looseObject({ login: z.string().min(1), type: z.string().optional() });
const repository = z.looseObject({
  id,
  // Cloned from the configured GitHub host under this name (clone-url.ts); `clone_url` is never read.
  full_name: z.string().refine(isRepositoryFullName, 'owner/name, as GitHub names repositories'),
  default_branch: z.string().optional(),
  private: z.boolean().optional(),
  owner: account.optional(),
});
const listedRepository = z.looseObject({ id, full_name: z.string().min(1), private: z.boolean().optional() });

/** What `pullRequestRef` reads of a pull request (from a payload or the REST API). */
export const PullRequestFields = z.looseObject({
  number: id,
  head: z.looseObject({ sha, ref: z.string().min(1), repo: z.looseObject({ full_name: z.string() }).nullable().optional() }),
  base: z.looseObject({ sha, ref: z.string().min(1) }),
});

const needs = {
  push: z.looseObject({ ref: z.string().min(1), before: z.string().nullable().optional(), after: sha, repository, installation }),
  pull_request: z.looseObject({ action: z.string(), number: id, pull_request: PullRequestFields, repository, installation }),
  issue_comment: z.looseObject({
    action: z.string(),
    issue: z.looseObject({ number: id }),
    comment: z.looseObject({ body: z.string(), user: z.looseObject({ login: z.string().min(1) }) }),
    repository,
    installation,
  }),
  check_run: z.looseObject({
    action: z.string(),
    check_run: z.looseObject({ id, name: z.string(), head_sha: sha, external_id: z.string().nullable().optional() }),
    requested_action: z.looseObject({ identifier: z.string() }).nullable().optional(),
    sender: z.looseObject({ login: z.string().min(1) }),
    repository,
    installation,
  }),
  check_suite: z.looseObject({ action: z.string(), check_suite: z.looseObject({ head_sha: sha }), repository, installation }),
  status: z.looseObject({ sha, state: z.string(), context: z.string(), repository, installation }),
  installation: z.looseObject({
    action: z.string(),
    installation: z.looseObject({ id, account }),
    repositories: z.array(listedRepository).nullable().optional(),
  }),
  installation_repositories: z.looseObject({
    action: z.string(),
    installation: z.looseObject({ id, account }),
    repositories_added: z.array(listedRepository),
    repositories_removed: z.array(z.looseObject({ id })),
  }),
} satisfies Record<HandledEvent, z.ZodType>;

/**
 * The payload as GitHub documents it (@octokit/webhooks' type). The fields checked above are
 * present and non-null even where GitHub's type allows otherwise (`installation` is optional
 * there, as repository webhooks have none; an App's deliveries always carry it): handlers read
 * those with `!`, and only those.
 */
export type EventPayload<E extends HandledEvent> = EmitterWebhookEvent<E>['payload'];

export function parseEvent<E extends HandledEvent>(event: E, payload: unknown): EventPayload<E> {
  const result = needs[event].safeParse(payload, { reportInput: true });
  if (result.success) return result.data as unknown as EventPayload<E>;
  throw new PermanentSkip(`ignored: the ${event} payload ${describeIssue(result.error.issues[0])}`);
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'is not valid';
  const field = issue.path.map(String).join('.') || 'payload';
  return issue.code === 'invalid_type' && issue.input === undefined ? `lacks ${field}` : `has an invalid ${field}: ${issue.message}`;
}
