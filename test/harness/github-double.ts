// A loopback stand-in for the GitHub REST API that checks what GitHub checks: the app JWT's RS256
// signature and iat/exp/iss, installation tokens (expiry, repository scope, permissions), request
// shapes (at most 50 check-run annotations per request, deployment states), and that review comments
// sit on lines of the pull request's real diff (`git diff base...head` over the repository's bare
// git data, as GitHub computes hunks). It records every call and keeps state for assertions, and
// injects faults (500s, rate limits, slow answers).
import { repositoryIdOf } from './payloads.ts';
import { createHash, createVerify, generateKeyPairSync, randomBytes, type KeyObject, createPublicKey } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gitFileDiff, hunkOf, type FileDiff } from './git-diff-hunks.ts';
import { runGit } from './git-server.ts';
import { createGitHubWeb, type GitHubWeb } from './github-web.ts';
import { webhookHeaders } from './sign-webhook.ts';

export type Permission = 'admin' | 'write' | 'read' | 'none';
type Access = 'read' | 'write';

export interface RecordedCall {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** The installation token or app JWT sent, if any. */
  token?: string;
  auth: 'jwt' | 'installation' | 'none';
  status: number;
  /** Called as GitHub Enterprise Server's REST API is: under `/api/v3` (the double answers both). */
  enterpriseApi?: true;
}

export interface Installation {
  id: number;
  account: string;
  repositories: string[];
  permissions: Record<string, Access>;
  suspended?: boolean;
}

export interface IssuedToken {
  token: string;
  installationId: number;
  expiresAt: number;
  permissions: Record<string, Access>;
  repositories: string[];
}

export interface Fault {
  method?: string;
  path: RegExp | string;
  /** Answer with this status (when absent, the call is only delayed and then served). */
  status?: number;
  /** How many calls this applies to (default 1). */
  times?: number;
  /** Seconds, sent as `retry-after`; with 403/429 the answer is a secondary rate limit. */
  retryAfter?: number;
  /** With 403/429 and no retryAfter: a primary rate limit, `x-ratelimit-remaining: 0` resetting after this many seconds (default 1). */
  resetAfter?: number;
  delayMs?: number;
  body?: unknown;
}

export interface CommentRecord {
  id: number;
  repo: string;
  issue_number: number;
  body: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
  html_url: string;
}
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
  start_column?: number;
  end_column?: number;
}
export interface CheckRunRecord {
  id: number;
  repo: string;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  details_url?: string;
  external_id?: string;
  output: { title?: string; summary?: string; text?: string; annotations: Annotation[] };
  actions?: Array<{ label: string; description: string; identifier: string }>;
  /** The app that made it (`slipway` for ours; another slug for a CI check a test adds). */
  app?: string;
}
export interface CommitStatusRecord {
  id: number;
  repo: string;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description?: string;
  created_at: string;
}
export interface DeploymentRecord {
  id: number;
  repo: string;
  ref: string;
  sha: string;
  environment: string;
  description?: string;
  payload: unknown;
  auto_merge: boolean;
  required_contexts?: string[];
  transient_environment: boolean;
  production_environment: boolean;
  created_at: string;
}
export interface DeploymentStatusRecord {
  id: number;
  repo: string;
  deployment_id: number;
  state: string;
  description?: string;
  environment?: string;
  environment_url?: string;
  log_url?: string;
  auto_inactive?: boolean;
  created_at: string;
}
export interface ReviewRecord {
  id: number;
  repo: string;
  pull_number: number;
  commit_id?: string;
  body?: string;
  event?: string;
  state: string;
}
export interface ReviewCommentRecord {
  id: number;
  repo: string;
  pull_number: number;
  pull_request_review_id: number;
  commit_id?: string;
  path: string;
  line: number;
  side: string;
  /** First line of a multi-line comment. */
  start_line?: number;
  start_side?: string;
  body: string;
  user: { login: string; type: string };
}
export interface RepositoryRecord {
  fullName: string;
  id: number;
  defaultBranch: string;
  private: boolean;
  cloneUrl?: string;
}

export interface GitHubDoubleOptions {
  appId?: number;
  appSlug?: string;
  /** Lifetime of issued installation tokens (default one hour, like GitHub). */
  tokenTtlMs?: number;
  /** Clock for JWT and token checks (default Date.now). */
  now?: () => number;
  /**
   * Resolves a branch or sha to a commit sha for `/repos/{o}/{r}/branches/{b}` and
   * `/repos/{o}/{r}/commits/{ref}` (e.g. `(repo, ref) => gitRepos.get(repo)?.headOf(ref)`).
   */
  resolveRef?: (repo: string, ref: string) => Promise<string | null | undefined> | string | null | undefined;
  /**
   * The bare git folder holding a repository's commits (e.g. `(repo) => gitRepos.get(repo)?.bareDir`):
   * review comments are checked against the real diff of the pull request. Without it, or without
   * the pull request registered with its `baseSha`, a review with comments is answered 500 (the
   * double cannot check what GitHub checks).
   */
  gitDirOf?: (repo: string) => string | undefined;
}

/** One attempt GitHub made at sending a webhook (`GET /app/hook/deliveries` lists them, newest first). */
export interface HookDeliveryRecord {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  duration: number;
  /** `OK`, or why the attempt failed. */
  status: string;
  /** The receiver's HTTP status; 0 when it did not answer. */
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
  /** What is sent again on a redelivery. */
  payload: unknown;
  /** False: a redelivery is refused with 422 (GitHub keeps deliveries 3 days). */
  redeliverable: boolean;
}

export interface IssueRecord {
  id: number;
  repo: string;
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason?: string | null;
  labels: string[];
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
}

export interface PullRequestRecord {
  repo: string;
  number: number;
  state: 'open' | 'closed';
  headSha: string;
  headRef: string;
  /** The base branch's commit the PR is compared with (GitHub diffs merge-base(base, head)...head). */
  baseSha?: string;
  /** Differs from `repo` for a fork. */
  headRepo: string;
  baseRef: string;
  merged: boolean;
  /** The commit a merge made on the base branch (GitHub lists the PR for it under the commit's pulls). */
  mergeCommitSha?: string;
  draft: boolean;
  user: string;
}

export interface ReactionRecord {
  id: number;
  repo: string;
  comment_id: number;
  content: string;
}

export interface GitHubDouble {
  url: string;
  appId: number;
  appSlug: string;
  privateKeyPem: string;
  calls: RecordedCall[];
  comments: CommentRecord[];
  checkRuns: CheckRunRecord[];
  deployments: DeploymentRecord[];
  statuses: DeploymentStatusRecord[];
  reviews: ReviewRecord[];
  reviewComments: ReviewCommentRecord[];
  installations: Map<number, Installation>;
  repositories: Map<string, RepositoryRecord>;
  tokens: Map<string, IssuedToken>;
  pulls: PullRequestRecord[];
  reactions: ReactionRecord[];
  commitStatuses: CommitStatusRecord[];
  /** A check run another app (CI) made on a commit; completing it again updates it (by name). */
  setCiCheckRun(input: { repo: string; sha: string; name: string; status: 'queued' | 'in_progress' | 'completed'; conclusion?: string }): CheckRunRecord;
  /** A commit status, as CI posts it (`POST /repos/{o}/{r}/statuses/{sha}`). */
  addCommitStatus(input: { repo: string; sha: string; context: string; state: CommitStatusRecord['state'] }): CommitStatusRecord;
  hookDeliveries: HookDeliveryRecord[];
  issues: IssueRecord[];
  /**
   * Records an attempt at sending a webhook as GitHub would have (by default a failed one: the
   * receiver was down). A redelivery (`POST /app/hook/deliveries/{id}/attempts`) sends its payload,
   * signed, to the hook target when one is set.
   */
  addHookDelivery(input: { event: string; payload: unknown; guid?: string; action?: string | null; statusCode?: number; deliveredAt?: Date; redeliverable?: boolean }): HookDeliveryRecord;
  /** Where redeliveries go: the App's webhook URL and secret. */
  setHookTarget(url: string, secret: string): void;
  /** Resolves once every redelivery started so far has been answered. */
  redeliveriesSettled(): Promise<void>;
  /** The primary rate limit of an installation's tokens: remaining requests now (and the hourly limit). 304 answers cost nothing. */
  setRateLimit(installationId: number, remaining: number, limit?: number): void;
  /** Requests left for an installation's tokens. */
  rateRemaining(installationId: number): number;
  /** Registers a pull request for `GET /repos/{o}/{r}/pulls/{n}` (fields default from the base repository). */
  addPullRequest(input: Partial<PullRequestRecord> & { repo: string; number: number; headSha: string }): PullRequestRecord;
  addInstallation(input: { id: number; account: string; repositories: string[]; permissions?: Record<string, Access> }): Installation;
  removeInstallation(id: number): void;
  /** Registers (or updates) a repository's metadata; repositories named by installations are added with defaults. */
  addRepository(fullName: string, input?: { defaultBranch?: string; private?: boolean; cloneUrl?: string }): RepositoryRecord;
  injectFault(fault: Fault): void;
  clearFaults(): void;
  setPermission(repo: string, user: string, permission: Permission): void;
  setTokenTtl(ms: number): void;
  /** Issues an installation token directly (what POST access_tokens would return). */
  issueToken(installationId: number): IssuedToken;
  /** Whether `token` is a live installation token with access to `repo` (for the git server's `authorize`). */
  tokenCanRead(token: string, repo: string): boolean;
  /** Seeds a comment as if written by someone (for pagination and marker tests). */
  seedComment(repo: string, issueNumber: number, body: string, login?: string): CommentRecord;
  callsTo(method: string, path: RegExp | string): RecordedCall[];
  /** github.com's pages: the manifest flow, the install page, OAuth sign-in (see github-web.ts). */
  web: GitHubWeb;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_PERMISSIONS: Record<string, Access> = {
  metadata: 'read',
  contents: 'read',
  issues: 'write',
  pull_requests: 'write',
  checks: 'write',
  deployments: 'write',
  statuses: 'read',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface Ctx {
  method: string;
  /** The request's headers (lower-case names). */
  requestHeaders: IncomingMessage['headers'];
  path: string;
  query: Record<string, string>;
  body: any;
  call: RecordedCall;
  res: ServerResponse;
  headers: Record<string, string>;
}

export async function startGitHubDouble(options: GitHubDoubleOptions = {}): Promise<GitHubDouble> {
  const appId = options.appId ?? 4242;
  const appSlug = options.appSlug ?? 'slipway';
  const now = options.now ?? Date.now;
  let tokenTtlMs = options.tokenTtlMs ?? 60 * 60 * 1000;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const botUser = { login: `${appSlug}[bot]`, type: 'Bot' };
  let nextId = 1000;
  const id = () => ++nextId;
  const iso = () => new Date(now()).toISOString();

  const state = {
    calls: [] as RecordedCall[],
    comments: [] as CommentRecord[],
    checkRuns: [] as CheckRunRecord[],
    deployments: [] as DeploymentRecord[],
    statuses: [] as DeploymentStatusRecord[],
    reviews: [] as ReviewRecord[],
    reviewComments: [] as ReviewCommentRecord[],
    pulls: [] as PullRequestRecord[],
    reactions: [] as ReactionRecord[],
    commitStatuses: [] as CommitStatusRecord[],
    hookDeliveries: [] as HookDeliveryRecord[],
    issues: [] as IssueRecord[],
  };
  let hookTarget: { url: string; secret: string } | undefined;
  const redelivering = new Set<Promise<void>>();
  // Per installation: the hourly limit and what is left of it (GitHub: 5,000 an hour and more for larger installations).
  const rateLimits = new Map<number, { limit: number; remaining: number }>();
  const rateOf = (installationId: number) => {
    let rate = rateLimits.get(installationId);
    if (!rate) rateLimits.set(installationId, (rate = { limit: 5000, remaining: 5000 }));
    return rate;
  };
  const installations = new Map<number, Installation>();
  const repositories = new Map<string, RepositoryRecord>();
  const tokens = new Map<string, IssuedToken>();
  const permissions = new Map<string, Permission>();
  let faults: Array<Fault & { remaining: number }> = [];

  function addRepository(fullName: string, input: { defaultBranch?: string; private?: boolean; cloneUrl?: string } = {}): RepositoryRecord {
    const existing = repositories.get(fullName);
    const record: RepositoryRecord = {
      fullName,
      // The id the payload builders give the repository (payloads.ts): a delivery and GitHub agree.
      id: existing?.id ?? repositoryIdOf(fullName),
      defaultBranch: input.defaultBranch ?? existing?.defaultBranch ?? 'main',
      private: input.private ?? existing?.private ?? true,
      cloneUrl: input.cloneUrl ?? existing?.cloneUrl,
    };
    repositories.set(fullName, record);
    return record;
  }

  function issueToken(installationId: number, repos?: string[], perms?: Record<string, Access>): IssuedToken {
    const installation = installations.get(installationId);
    if (!installation) throw new HttpError(404, 'Not Found');
    const issued: IssuedToken = {
      token: `ghs_${randomBytes(18).toString('base64url')}`,
      installationId,
      expiresAt: now() + tokenTtlMs,
      permissions: perms ?? installation.permissions,
      repositories: repos ?? installation.repositories,
    };
    tokens.set(issued.token, issued);
    return issued;
  }

  // ---- auth -------------------------------------------------------------------------------------

  function verifyJwt(jwt: string): void {
    const parts = jwt.split('.');
    if (parts.length !== 3) throw new HttpError(401, 'A JSON web token could not be decoded');
    let header: any;
    let claims: any;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    } catch {
      throw new HttpError(401, 'A JSON web token could not be decoded');
    }
    if (header.alg !== 'RS256') throw new HttpError(401, 'A JSON web token could not be decoded');
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${parts[0]}.${parts[1]}`);
    if (!verifier.verify(publicKey as KeyObject, Buffer.from(parts[2]!, 'base64url'))) {
      throw new HttpError(401, 'A JSON web token could not be decoded');
    }
    const nowSec = Math.floor(now() / 1000);
    if (!Number.isInteger(claims.iat) || claims.iat > nowSec + 60) {
      throw new HttpError(401, "'Issued at' claim ('iat') must be an Integer representing a time in the past");
    }
    if (!Number.isInteger(claims.exp) || claims.exp <= nowSec) {
      throw new HttpError(401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
    }
    // GitHub refuses app JWTs living longer than ten minutes.
    if (claims.exp - claims.iat > 600) throw new HttpError(401, "'Expiration time' claim ('exp') is too far in the future");
    if (String(claims.iss) !== String(appId)) throw new HttpError(401, "'Issuer' claim ('iss') must be an Integer");
  }

  function credential(req: IncomingMessage): { kind: 'jwt' | 'installation' | 'none'; value?: string } {
    const header = req.headers.authorization;
    if (!header) return { kind: 'none' };
    const match = /^(bearer|token)\s+(.+)$/i.exec(header.trim());
    if (!match) return { kind: 'none' };
    const value = match[2]!;
    return { kind: value.split('.').length === 3 ? 'jwt' : 'installation', value };
  }

  function requireJwt(ctx: Ctx): void {
    if (ctx.call.auth !== 'jwt' || !ctx.call.token) {
      throw new HttpError(401, 'A JSON web token could not be decoded');
    }
    verifyJwt(ctx.call.token);
  }

  function requireToken(ctx: Ctx, repo: string, permission: string, access: Access): IssuedToken {
    if (ctx.call.auth === 'jwt') {
      verifyJwt(ctx.call.token!);
      throw new HttpError(403, 'Resource not accessible by integration');
    }
    const issued = ctx.call.token ? tokens.get(ctx.call.token) : undefined;
    if (!issued || issued.expiresAt <= now() || !installations.has(issued.installationId)) {
      throw new HttpError(401, 'Bad credentials');
    }
    const installation = installations.get(issued.installationId)!;
    if (installation.suspended) throw new HttpError(403, 'This installation has been suspended');
    // GitHub hides repositories a token cannot see.
    if (!issued.repositories.includes(repo) || !installation.repositories.includes(repo)) throw new HttpError(404, 'Not Found');
    const granted = issued.permissions[permission];
    if (!granted || (access === 'write' && granted !== 'write')) {
      throw new HttpError(403, 'Resource not accessible by integration');
    }
    return issued;
  }

  // ---- helpers ----------------------------------------------------------------------------------

  function paginate<T>(ctx: Ctx, items: T[]): T[] {
    const perPage = Math.min(Math.max(Number.parseInt(ctx.query.per_page ?? '30', 10) || 30, 1), 100);
    const page = Math.max(Number.parseInt(ctx.query.page ?? '1', 10) || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (p: number, rel: string) => {
      const q = new URLSearchParams({ ...ctx.query, per_page: String(perPage), page: String(p) });
      return `<${url}${ctx.path}?${q}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'));
    if (page !== last) links.push(link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    if (links.length > 0) ctx.headers.link = links.join(', ');
    return items.slice((page - 1) * perPage, page * perPage);
  }

  function repoJson(fullName: string) {
    const repo = repositories.get(fullName) ?? addRepository(fullName);
    const [owner, name] = fullName.split('/');
    return {
      id: repo.id,
      name,
      full_name: fullName,
      private: repo.private,
      owner: { login: owner, type: 'Organization' },
      default_branch: repo.defaultBranch,
      clone_url: repo.cloneUrl ?? `https://github.com/${fullName}.git`,
      html_url: `https://github.com/${fullName}`,
    };
  }

  function issueJson(issue: IssueRecord) {
    const { repo: _repo, labels, ...rest } = issue;
    return { ...rest, labels: labels.map((name) => ({ name })), html_url: `https://github.com/${issue.repo}/issues/${issue.number}` };
  }

  function hookAttempt(input: Omit<HookDeliveryRecord, 'id' | 'delivered_at' | 'duration'>, deliveredAt?: Date): HookDeliveryRecord {
    const { id: _id, delivered_at: _at, duration: _d, ...rest } = input as HookDeliveryRecord;
    const record: HookDeliveryRecord = { ...rest, id: id(), delivered_at: (deliveredAt ?? new Date(now())).toISOString().replace(/\.\d{3}Z$/, 'Z'), duration: 0.01 };
    state.hookDeliveries.push(record);
    return record;
  }

  async function redeliver(attempt: HookDeliveryRecord): Promise<void> {
    if (!hookTarget) {
      attempt.status = 'Invalid HTTP Response: 503';
      attempt.status_code = 503;
      return;
    }
    const body = JSON.stringify(attempt.payload);
    try {
      const res = await fetch(hookTarget.url, { method: 'POST', body, headers: webhookHeaders(hookTarget.secret, attempt.event, body, attempt.guid) });
      await res.arrayBuffer();
      attempt.status_code = res.status;
      attempt.status = res.ok ? 'OK' : `Invalid HTTP Response: ${res.status}`;
    } catch {
      attempt.status_code = 0;
      attempt.status = 'failed to connect to host';
    }
  }

  function installationJson(installation: Installation) {
    return {
      id: installation.id,
      account: { login: installation.account, type: 'Organization' },
      app_id: appId,
      app_slug: appSlug,
      permissions: installation.permissions,
      repository_selection: 'selected',
      suspended_at: installation.suspended ? iso() : null,
    };
  }

  function requireFields(body: any, fields: string[]): void {
    for (const field of fields) {
      if (body?.[field] === undefined || body?.[field] === null || body?.[field] === '') {
        throw new HttpError(422, 'Invalid request.', { errors: [{ resource: 'Request', field, code: 'missing_field' }] });
      }
    }
  }

  function validateAnnotations(annotations: unknown): Annotation[] {
    if (annotations === undefined) return [];
    if (!Array.isArray(annotations)) throw new HttpError(422, 'Invalid request.\n\nFor \'properties/annotations\', is not an array.');
    // GitHub: "The Checks API limits the number of annotations to a maximum of 50 per API request."
    if (annotations.length > 50) throw new HttpError(422, 'Invalid request.\n\nFor \'properties/annotations\', too many items (maximum 50).');
    for (const a of annotations as any[]) {
      if (typeof a?.path !== 'string' || !Number.isInteger(a?.start_line) || !Number.isInteger(a?.end_line) || typeof a?.message !== 'string') {
        throw new HttpError(422, 'Invalid request.\n\nAnnotations need path, start_line, end_line and message.');
      }
      if (!['notice', 'warning', 'failure'].includes(a.annotation_level)) {
        throw new HttpError(422, `Invalid request.\n\n${JSON.stringify(a.annotation_level)} is not a member of ["notice", "warning", "failure"].`);
      }
    }
    return annotations as Annotation[];
  }

  const CHECK_STATUSES = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending'];
  const CONCLUSIONS = ['action_required', 'cancelled', 'failure', 'neutral', 'success', 'skipped', 'stale', 'timed_out'];
  const DEPLOY_STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];

  function applyCheckRun(run: CheckRunRecord, body: any): void {
    if (body.status !== undefined && !CHECK_STATUSES.includes(body.status)) throw new HttpError(422, `Invalid request.\n\nstatus ${body.status}`);
    if (body.conclusion !== undefined && body.conclusion !== null && !CONCLUSIONS.includes(body.conclusion)) {
      throw new HttpError(422, `Invalid request.\n\nconclusion ${body.conclusion}`);
    }
    if (body.status) run.status = body.status;
    if (body.conclusion) {
      run.conclusion = body.conclusion;
      run.status = 'completed';
    }
    if (run.status === 'completed' && !run.conclusion) throw new HttpError(422, 'Invalid request.\n\nconclusion is required when status is completed.');
    if (body.name) run.name = body.name;
    if (body.details_url) run.details_url = body.details_url;
    if (body.actions !== undefined) {
      // GitHub: "A check run can have a maximum of three actions"; label 20, description 40, identifier 20 characters.
      const actions = body.actions as any[];
      if (!Array.isArray(actions) || actions.length > 3) throw new HttpError(422, 'Invalid request.\n\nFor \'properties/actions\', too many items (maximum 3).');
      for (const a of actions) {
        if (typeof a?.label !== 'string' || typeof a?.description !== 'string' || typeof a?.identifier !== 'string' || a.label.length > 20 || a.description.length > 40 || a.identifier.length > 20) {
          throw new HttpError(422, 'Invalid request.\n\nactions need label (≤ 20), description (≤ 40) and identifier (≤ 20).');
        }
      }
      run.actions = actions.map((a) => ({ label: a.label, description: a.description, identifier: a.identifier }));
    }
    if (body.external_id) run.external_id = body.external_id;
    if (body.output) {
      if (typeof body.output.title !== 'string' || typeof body.output.summary !== 'string') {
        throw new HttpError(422, 'Invalid request.\n\noutput needs title and summary.');
      }
      const annotations = validateAnnotations(body.output.annotations);
      run.output.title = body.output.title;
      run.output.summary = body.output.summary;
      if (body.output.text !== undefined) run.output.text = body.output.text;
      // Annotations sent on update are added to the run's existing ones, as on GitHub.
      run.output.annotations.push(...annotations);
    }
  }

  function checkRunJson(run: CheckRunRecord) {
    return { id: run.id, name: run.name, head_sha: run.head_sha, status: run.status, conclusion: run.conclusion, html_url: `https://github.com/${run.repo}/runs/${run.id}`, app: { slug: run.app ?? appSlug }, output: { title: run.output.title, summary: run.output.summary, text: run.output.text, annotations_count: run.output.annotations.length } };
  }

  /**
   * GitHub's rules for review comment lines, against the pull request's real diff (merge base of
   * base and the commit, to the commit; 3 lines of context): `line` (and `start_line`) on their
   * side must lie in a hunk, `start_line` strictly before `line` and in the same hunk; `position`
   * within the file's patch. Every broken rule is listed, as GitHub does, in one 422.
   */
  async function checkReviewLines(pr: PullRequestRecord, commitId: string, comments: any[]): Promise<void> {
    const gitDir = options.gitDirOf?.(pr.repo);
    if (!gitDir || !pr.baseSha) {
      throw new Error(`the GitHub double cannot check review comment lines on ${pr.repo}#${pr.number}: ${gitDir ? 'register the pull request with its baseSha' : 'start it with gitDirOf'}`);
    }
    if (!/^[0-9a-f]{40}$/.test(commitId) || !(await runGit(['cat-file', '-e', `${commitId}^{commit}`], gitDir).then(() => true, () => false))) {
      throw new HttpError(422, 'Unprocessable Entity', { errors: ['Commit could not be resolved'] });
    }
    const diffs = new Map<string, FileDiff>();
    const errors: string[] = [];
    for (const c of comments) {
      let diff = diffs.get(c.path);
      if (!diff) diffs.set(c.path, (diff = await gitFileDiff(gitDir, pr.baseSha, commitId, c.path)));
      if (diff.hunks.length === 0) {
        errors.push('Path could not be resolved');
        continue;
      }
      if (c.line === undefined) {
        if (c.position < 1 || c.position > diff.patchLines) errors.push('Pull request review thread position is invalid');
        continue;
      }
      const side = c.side ?? 'RIGHT';
      const startSide = c.start_side ?? side;
      if (![side, startSide].every((x) => x === 'LEFT' || x === 'RIGHT')) {
        errors.push('Pull request review thread side must be LEFT or RIGHT');
        continue;
      }
      const hunk = hunkOf(diff.hunks, side, c.line);
      if (!hunk) errors.push('Pull request review thread line must be part of the diff');
      if (c.start_line === undefined) continue;
      if (!Number.isInteger(c.start_line) || (startSide === side && c.start_line >= c.line)) {
        errors.push('Pull request review thread start line must precede the end line.');
        continue;
      }
      if (!hunk || hunkOf(diff.hunks, startSide, c.start_line) !== hunk) errors.push('Pull request review thread start line must be part of the same hunk as the line.');
    }
    if (errors.length > 0) throw new HttpError(422, 'Unprocessable Entity', { errors });
  }

  // ---- routes -----------------------------------------------------------------------------------

  type Handler = (ctx: Ctx, params: string[]) => [number, unknown] | Promise<[number, unknown]>;
  const routes: Array<[string, RegExp, Handler]> = [];
  const route = (method: string, pattern: string, handler: Handler) => {
    const regex = new RegExp(`^${pattern.replace(/:[a-z_]+/g, '([^/]+)')}$`);
    routes.push([method, regex, handler]);
  };
  const repoOf = (p: string[]) => `${p[0]}/${p[1]}`;

  route('GET', '/app', (ctx) => {
    requireJwt(ctx);
    return [200, { id: appId, slug: appSlug, name: appSlug }];
  });
  route('GET', '/app/installations/:id', (ctx, p) => {
    requireJwt(ctx);
    const installation = installations.get(Number(p[0]));
    if (!installation) throw new HttpError(404, 'Not Found');
    return [200, installationJson(installation)];
  });
  route('POST', '/app/installations/:id/access_tokens', (ctx, p) => {
    requireJwt(ctx);
    const installation = installations.get(Number(p[0]));
    if (!installation) throw new HttpError(404, 'Not Found');
    if (installation.suspended) throw new HttpError(403, 'This installation has been suspended');
    let repos = installation.repositories;
    if (Array.isArray(ctx.body?.repositories)) {
      repos = (ctx.body.repositories as string[]).map((name) => (name.includes('/') ? name : `${installation.account}/${name}`));
      if (repos.some((r) => !installation.repositories.includes(r))) throw new HttpError(422, 'There is at least one repository that does not exist or is not accessible to the parent installation.');
    }
    let perms = installation.permissions;
    if (ctx.body?.permissions) {
      for (const [key, value] of Object.entries(ctx.body.permissions as Record<string, Access>)) {
        const granted = installation.permissions[key];
        if (!granted || (value === 'write' && granted !== 'write')) throw new HttpError(422, `The permissions requested are not granted to this installation.`);
      }
      perms = ctx.body.permissions;
    }
    const issued = issueToken(installation.id, repos, perms);
    return [201, { token: issued.token, expires_at: new Date(issued.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'), permissions: issued.permissions, repository_selection: 'selected' }];
  });
  route('GET', '/repos/:o/:r/installation', (ctx, p) => {
    requireJwt(ctx);
    const installation = [...installations.values()].find((i) => i.repositories.includes(repoOf(p)));
    if (!installation) throw new HttpError(404, 'Not Found');
    return [200, installationJson(installation)];
  });
  route('GET', '/repos/:o/:r', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'metadata', 'read');
    return [200, repoJson(repoOf(p))];
  });

  // Issue (and pull request) comments.
  route('GET', '/repos/:o/:r/issues/:n/comments', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'issues', 'read');
    const list = state.comments.filter((c) => c.repo === repoOf(p) && c.issue_number === Number(p[2]));
    return [200, paginate(ctx, list)];
  });
  route('POST', '/repos/:o/:r/issues/:n/comments', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'issues', 'write');
    requireFields(ctx.body, ['body']);
    const comment: CommentRecord = {
      id: id(),
      repo: repoOf(p),
      issue_number: Number(p[2]),
      body: String(ctx.body.body),
      user: botUser,
      created_at: iso(),
      updated_at: iso(),
      html_url: '',
    };
    comment.html_url = `https://github.com/${comment.repo}/pull/${comment.issue_number}#issuecomment-${comment.id}`;
    state.comments.push(comment);
    return [201, comment];
  });
  route('GET', '/repos/:o/:r/issues/comments/:id', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'issues', 'read');
    const comment = state.comments.find((c) => c.id === Number(p[2]) && c.repo === repoOf(p));
    if (!comment) throw new HttpError(404, 'Not Found');
    return [200, comment];
  });
  route('PATCH', '/repos/:o/:r/issues/comments/:id', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'issues', 'write');
    requireFields(ctx.body, ['body']);
    const comment = state.comments.find((c) => c.id === Number(p[2]) && c.repo === repoOf(p));
    if (!comment) throw new HttpError(404, 'Not Found');
    if (comment.user.login !== botUser.login) throw new HttpError(403, 'Resource not accessible by integration');
    comment.body = String(ctx.body.body);
    comment.updated_at = iso();
    return [200, comment];
  });

  route('DELETE', '/repos/:o/:r/issues/comments/:id', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'issues', 'write');
    const index = state.comments.findIndex((c) => c.id === Number(p[2]) && c.repo === repoOf(p));
    if (index < 0) throw new HttpError(404, 'Not Found');
    if (state.comments[index]!.user.login !== botUser.login) throw new HttpError(403, 'Resource not accessible by integration');
    state.comments.splice(index, 1);
    return [204, undefined];
  });

  // Check runs.
  route('POST', '/repos/:o/:r/check-runs', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'checks', 'write');
    requireFields(ctx.body, ['name', 'head_sha']);
    if (!/^[0-9a-f]{40}$/.test(ctx.body.head_sha)) throw new HttpError(422, 'No commit found for SHA: ' + ctx.body.head_sha);
    const run: CheckRunRecord = { id: id(), repo: repoOf(p), name: ctx.body.name, head_sha: ctx.body.head_sha, status: 'queued', conclusion: null, output: { annotations: [] }, app: appSlug };
    applyCheckRun(run, ctx.body);
    state.checkRuns.push(run);
    return [201, checkRunJson(run)];
  });
  route('PATCH', '/repos/:o/:r/check-runs/:id', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'checks', 'write');
    const run = state.checkRuns.find((r) => r.id === Number(p[2]) && r.repo === repoOf(p));
    if (!run) throw new HttpError(404, 'Not Found');
    applyCheckRun(run, ctx.body ?? {});
    return [200, checkRunJson(run)];
  });
  route('GET', '/repos/:o/:r/check-runs/:id', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'checks', 'read');
    const run = state.checkRuns.find((r) => r.id === Number(p[2]) && r.repo === repoOf(p));
    if (!run) throw new HttpError(404, 'Not Found');
    return [200, checkRunJson(run)];
  });

  // Deployments and their statuses.
  route('POST', '/repos/:o/:r/deployments', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'deployments', 'write');
    requireFields(ctx.body, ['ref']);
    const environment = ctx.body.environment ?? 'production';
    const sha0 = /^[0-9a-f]{40}$/.test(ctx.body.ref) ? ctx.body.ref : ctx.body.sha ?? ctx.body.ref;
    // GitHub refuses a deployment whose required contexts have not all succeeded on the commit (409).
    const required: string[] | undefined = ctx.body.required_contexts;
    const contexts = required ?? [...new Set([...state.checkRuns.filter((r) => r.repo === repoOf(p) && r.head_sha === sha0).map((r) => r.name), ...state.commitStatuses.filter((x) => x.repo === repoOf(p) && x.sha === sha0).map((x) => x.context)])];
    const failing = contexts.filter((name) => contextState(repoOf(p), sha0, name) !== 'success');
    if (failing.length > 0) {
      throw new HttpError(409, `Conflict: Commit status checks failed for ${ctx.body.ref}.`, { errors: failing.map((contexts) => ({ contexts: [{ context: contexts, state: contextState(repoOf(p), sha0, contexts) ?? 'missing' }], resource: 'Deployment', field: 'required_contexts', code: 'invalid' })) });
    }
    const deployment: DeploymentRecord = {
      id: id(),
      repo: repoOf(p),
      ref: ctx.body.ref,
      sha: /^[0-9a-f]{40}$/.test(ctx.body.ref) ? ctx.body.ref : ctx.body.sha ?? ctx.body.ref,
      environment,
      description: ctx.body.description,
      payload: ctx.body.payload ?? {},
      auto_merge: ctx.body.auto_merge ?? true,
      required_contexts: ctx.body.required_contexts,
      transient_environment: ctx.body.transient_environment ?? false,
      production_environment: ctx.body.production_environment ?? environment === 'production',
      created_at: iso(),
    };
    state.deployments.push(deployment);
    return [201, deployment];
  });
  // Commit statuses (CI's older API) and the combined status of a commit.
  route('POST', '/repos/:o/:r/statuses/:sha', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'statuses', 'write');
    requireFields(ctx.body, ['state']);
    return [201, addCommitStatus({ repo: repoOf(p), sha: p[2]!, context: ctx.body.context ?? 'default', state: ctx.body.state })];
  });
  route('GET', '/repos/:o/:r/commits/:ref/status', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'statuses', 'read');
    // The latest status per context, newest first, as GitHub combines them.
    const latest = new Map<string, CommitStatusRecord>();
    for (const x of state.commitStatuses) if (x.repo === repoOf(p) && x.sha === p[2]) latest.set(x.context, x);
    const statuses = [...latest.values()].reverse();
    const combined = statuses.some((x) => x.state === 'failure' || x.state === 'error') ? 'failure' : statuses.length === 0 || statuses.some((x) => x.state === 'pending') ? 'pending' : 'success';
    return [200, { state: combined, sha: p[2], total_count: statuses.length, statuses: paginate(ctx, statuses.map((x) => ({ id: x.id, state: x.state, context: x.context, description: x.description ?? null, created_at: x.created_at }))) }];
  });
  route('GET', '/repos/:o/:r/deployments', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'deployments', 'read');
    const list = state.deployments
      .filter((d) => d.repo === repoOf(p) && (!ctx.query.environment || d.environment === ctx.query.environment) && (!ctx.query.sha || d.sha === ctx.query.sha) && (!ctx.query.ref || d.ref === ctx.query.ref))
      .reverse();
    return [200, paginate(ctx, list)];
  });
  route('POST', '/repos/:o/:r/deployments/:id/statuses', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'deployments', 'write');
    const deployment = state.deployments.find((d) => d.id === Number(p[2]) && d.repo === repoOf(p));
    if (!deployment) throw new HttpError(404, 'Not Found');
    requireFields(ctx.body, ['state']);
    if (!DEPLOY_STATES.includes(ctx.body.state)) throw new HttpError(422, `Invalid request.\n\n${JSON.stringify(ctx.body.state)} is not a member of ${JSON.stringify(DEPLOY_STATES)}.`);
    const status: DeploymentStatusRecord = {
      id: id(),
      repo: repoOf(p),
      deployment_id: deployment.id,
      state: ctx.body.state,
      description: ctx.body.description,
      environment: ctx.body.environment ?? deployment.environment,
      environment_url: ctx.body.environment_url,
      log_url: ctx.body.log_url,
      auto_inactive: ctx.body.auto_inactive,
      created_at: iso(),
    };
    state.statuses.push(status);
    return [201, status];
  });
  route('GET', '/repos/:o/:r/deployments/:id/statuses', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'deployments', 'read');
    const list = state.statuses.filter((s) => s.deployment_id === Number(p[2]) && s.repo === repoOf(p)).reverse();
    return [200, paginate(ctx, list)];
  });

  // Pull request reviews and review comments.
  route('POST', '/repos/:o/:r/pulls/:n/reviews', async (ctx, p) => {
    requireToken(ctx, repoOf(p), 'pull_requests', 'write');
    const pr = state.pulls.find((x) => x.repo === repoOf(p) && x.number === Number(p[2]));
    if (!pr) throw new HttpError(404, 'Not Found');
    const event = ctx.body?.event;
    if (event !== undefined && !['APPROVE', 'REQUEST_CHANGES', 'COMMENT'].includes(event)) throw new HttpError(422, 'Unprocessable Entity: event');
    if ((event === 'COMMENT' || event === 'REQUEST_CHANGES') && !ctx.body?.body && !(ctx.body?.comments?.length > 0)) {
      throw new HttpError(422, 'Unprocessable Entity: "Body is required when event is COMMENT"');
    }
    const comments = (ctx.body?.comments ?? []) as any[];
    for (const c of comments) {
      if (typeof c?.path !== 'string' || typeof c?.body !== 'string' || !(Number.isInteger(c?.line) || Number.isInteger(c?.position))) {
        throw new HttpError(422, 'Unprocessable Entity: review comments need path, body and line');
      }
    }
    const commitId: string = ctx.body?.commit_id ?? pr.headSha;
    if (comments.length > 0) await checkReviewLines(pr, commitId, comments);
    const review: ReviewRecord = { id: id(), repo: repoOf(p), pull_number: Number(p[2]), commit_id: ctx.body?.commit_id, body: ctx.body?.body, event, state: event ? (event === 'APPROVE' ? 'APPROVED' : event === 'REQUEST_CHANGES' ? 'CHANGES_REQUESTED' : 'COMMENTED') : 'PENDING' };
    state.reviews.push(review);
    for (const c of comments) {
      const side = c.side ?? 'RIGHT';
      state.reviewComments.push({
        id: id(), repo: review.repo, pull_number: review.pull_number, pull_request_review_id: review.id, commit_id: review.commit_id, path: c.path, line: c.line ?? c.position, side,
        ...(c.start_line !== undefined ? { start_line: c.start_line, start_side: c.start_side ?? side } : {}),
        body: c.body, user: botUser,
      });
    }
    return [200, review];
  });
  route('GET', '/repos/:o/:r/pulls/:n/comments', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'pull_requests', 'read');
    return [200, paginate(ctx, state.reviewComments.filter((c) => c.repo === repoOf(p) && c.pull_number === Number(p[2])))];
  });
  route('DELETE', '/repos/:o/:r/pulls/comments/:id', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'pull_requests', 'write');
    const index = state.reviewComments.findIndex((c) => c.id === Number(p[2]) && c.repo === repoOf(p));
    if (index < 0) throw new HttpError(404, 'Not Found');
    if (state.reviewComments[index]!.user.login !== botUser.login) throw new HttpError(403, 'Resource not accessible by integration');
    state.reviewComments.splice(index, 1);
    return [204, undefined];
  });


  route('GET', '/app/installations', (ctx) => {
    requireJwt(ctx);
    return [200, paginate(ctx, [...installations.values()].map(installationJson))];
  });
  route('GET', '/installation/repositories', (ctx) => {
    const issued = ctx.call.token ? tokens.get(ctx.call.token) : undefined;
    if (ctx.call.auth !== 'installation' || !issued || issued.expiresAt <= now() || !installations.has(issued.installationId)) throw new HttpError(401, 'Bad credentials');
    const installation = installations.get(issued.installationId)!;
    const visible = installation.repositories.filter((r) => issued.repositories.includes(r));
    return [200, { total_count: visible.length, repository_selection: 'selected', repositories: paginate(ctx, visible.map(repoJson)) }];
  });
  // Branch and commit reads carry an ETag; a request whose If-None-Match still matches is answered
  // 304 with no body, and (as on GitHub) costs no rate limit.
  const conditional = (ctx: Ctx, body: unknown): [number, unknown] => {
    const etag = `W/"${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 32)}"`;
    ctx.headers.etag = etag;
    const asked = ctx.requestHeaders['if-none-match'];
    return asked && String(asked).split(/\s*,\s*/).includes(etag) ? [304, undefined] : [200, body];
  };
  route('GET', '/repos/:o/:r/branches/:branch', async (ctx, p) => {
    requireToken(ctx, repoOf(p), 'contents', 'read');
    const sha = options.resolveRef ? await options.resolveRef(repoOf(p), p[2]!) : undefined;
    if (!sha) throw new HttpError(404, 'Branch not found');
    return conditional(ctx, { name: p[2], commit: { sha }, protected: false });
  });
  route('GET', '/repos/:o/:r/commits/:ref', async (ctx, p) => {
    requireToken(ctx, repoOf(p), 'contents', 'read');
    const sha = options.resolveRef ? await options.resolveRef(repoOf(p), p[2]!) : undefined;
    if (!sha) throw new HttpError(422, `No commit found for SHA: ${p[2]}`);
    return conditional(ctx, { sha, commit: { message: '' } });
  });

  // The App's webhook deliveries (app JWT): newest first, cursor paging as GitHub does it
  // (https://docs.github.com/rest/apps/webhooks#list-deliveries-for-an-app-webhook).
  route('GET', '/app/hook/deliveries', (ctx) => {
    requireJwt(ctx);
    const perPage = Math.min(Math.max(Number.parseInt(ctx.query.per_page ?? '30', 10) || 30, 1), 100);
    const sorted = [...state.hookDeliveries].sort((a, b) => b.id - a.id);
    const cursor = ctx.query.cursor;
    let start = 0;
    if (cursor) {
      const match = /^v1_(\d+)$/.exec(cursor);
      if (!match) throw new HttpError(422, 'Invalid cursor');
      start = sorted.findIndex((d) => d.id < Number(match[1]));
      if (start < 0) start = sorted.length;
    }
    const page = sorted.slice(start, start + perPage);
    if (start + perPage < sorted.length) {
      const q = new URLSearchParams({ per_page: String(perPage), cursor: `v1_${page[page.length - 1]!.id}` });
      ctx.headers.link = `<${url}${ctx.path}?${q}>; rel="next"`;
    }
    return [200, page.map(({ payload: _p, redeliverable: _r, ...listed }) => listed)];
  });
  route('POST', '/app/hook/deliveries/:id/attempts', (ctx, p) => {
    requireJwt(ctx);
    const original = state.hookDeliveries.find((d) => d.id === Number(p[0]));
    if (!original) throw new HttpError(404, 'Not Found');
    if (!original.redeliverable) throw new HttpError(422, 'Validation Failed', { errors: [{ resource: 'HookDelivery', code: 'custom', message: 'This delivery is too old to be redelivered.' }] });
    const attempt = hookAttempt({ ...original, redelivery: true, status_code: 0, status: 'pending' });
    // GitHub answers 202 and sends the delivery afterwards.
    const sending = redeliver(attempt).finally(() => redelivering.delete(sending));
    redelivering.add(sending);
    return [202, {}];
  });

  // Issues (Slipway keeps one per app and environment for drift).
  route('POST', '/repos/:o/:r/issues', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'issues', 'write');
    requireFields(ctx.body, ['title']);
    const number = 1 + state.issues.filter((i) => i.repo === repoOf(p)).length + state.pulls.filter((x) => x.repo === repoOf(p)).length;
    const issue: IssueRecord = { id: id(), repo: repoOf(p), number, title: String(ctx.body.title), body: String(ctx.body.body ?? ''), state: 'open', labels: (ctx.body.labels ?? []).map(String), user: botUser, created_at: iso(), updated_at: iso() };
    state.issues.push(issue);
    return [201, issueJson(issue)];
  });
  route('GET', '/repos/:o/:r/issues/:n', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'issues', 'read');
    const issue = state.issues.find((i) => i.repo === repoOf(p) && i.number === Number(p[2]));
    if (!issue) throw new HttpError(404, 'Not Found');
    return [200, issueJson(issue)];
  });
  route('PATCH', '/repos/:o/:r/issues/:n', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'issues', 'write');
    const issue = state.issues.find((i) => i.repo === repoOf(p) && i.number === Number(p[2]));
    if (!issue) throw new HttpError(404, 'Not Found');
    if (ctx.body?.state !== undefined && !['open', 'closed'].includes(ctx.body.state)) throw new HttpError(422, 'Validation Failed: state');
    if (typeof ctx.body?.title === 'string') issue.title = ctx.body.title;
    if (typeof ctx.body?.body === 'string') issue.body = ctx.body.body;
    if (ctx.body?.state) issue.state = ctx.body.state;
    if (ctx.body?.state_reason !== undefined) issue.state_reason = ctx.body.state_reason;
    issue.updated_at = iso();
    return [200, issueJson(issue)];
  });
  route('GET', '/repos/:o/:r/commits/:ref/check-runs', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'checks', 'read');
    const runs = state.checkRuns.filter((r) => r.repo === repoOf(p) && r.head_sha === p[2] && (!ctx.query.check_name || r.name === ctx.query.check_name));
    const page = paginate(ctx, runs);
    return [200, { total_count: runs.length, check_runs: page.map(checkRunJson) }];
  });
  // The pull requests a commit belongs to: as GitHub, the merged one whose merge made it, and those
  // whose head is it. Needs contents and pull_requests read (a token without either gets 403).
  route('GET', '/repos/:o/:r/commits/:sha/pulls', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'contents', 'read');
    requireToken(ctx, repoOf(p), 'pull_requests', 'read');
    const sha = p[2]!;
    if (!/^[0-9a-f]{7,40}$/.test(sha)) throw new HttpError(422, `No commit found for SHA: ${sha}`);
    const list = state.pulls.filter((x) => x.repo === repoOf(p) && (x.headSha === sha || (x.merged && x.mergeCommitSha === sha)));
    return [200, paginate(ctx, list.map((pr) => ({
      number: pr.number,
      state: pr.state,
      draft: pr.draft,
      merged_at: pr.merged ? iso() : null,
      merge_commit_sha: pr.mergeCommitSha ?? null,
      user: { login: pr.user, type: 'User' },
      head: { sha: pr.headSha, ref: pr.headRef },
      base: { ref: pr.baseRef },
    })))];
  });
  route('GET', '/repos/:o/:r/pulls/:n', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'pull_requests', 'read');
    const pr = state.pulls.find((x) => x.repo === repoOf(p) && x.number === Number(p[2]));
    if (!pr) throw new HttpError(404, 'Not Found');
    const base = repoJson(pr.repo);
    return [200, {
      number: pr.number,
      state: pr.state,
      draft: pr.draft,
      merged: pr.merged,
      user: { login: pr.user, type: 'User' },
      head: { sha: pr.headSha, ref: pr.headRef, repo: { ...repoJson(pr.headRepo), fork: pr.headRepo !== pr.repo } },
      base: { ref: pr.baseRef, ...(pr.baseSha ? { sha: pr.baseSha } : {}), repo: base },
    }];
  });
  route('POST', '/repos/:o/:r/issues/comments/:id/reactions', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'issues', 'write');
    const allowed = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'];
    if (!allowed.includes(ctx.body?.content)) throw new HttpError(422, 'Invalid request.\n\ncontent is not a valid reaction.');
    const reaction: ReactionRecord = { id: id(), repo: repoOf(p), comment_id: Number(p[2]), content: ctx.body.content };
    state.reactions.push(reaction);
    return [201, { id: reaction.id, content: reaction.content, user: botUser }];
  });

  route('GET', '/repos/:o/:r/collaborators/:user/permission', (ctx, p) => {
    requireToken(ctx, repoOf(p), 'metadata', 'read');
    const user = decodeURIComponent(p[2]!);
    const permission = permissions.get(`${repoOf(p)}#${user.toLowerCase()}`) ?? 'none';
    return [200, { permission, role_name: permission === 'write' ? 'write' : permission, user: { login: user } }];
  });

  function addCommitStatus(input: { repo: string; sha: string; context: string; state: CommitStatusRecord['state'] }): CommitStatusRecord {
    if (!['error', 'failure', 'pending', 'success'].includes(input.state)) throw new HttpError(422, `Invalid request.\n\nstate ${input.state}`);
    const record: CommitStatusRecord = { id: id(), repo: input.repo, sha: input.sha, state: input.state, context: input.context, created_at: iso() };
    state.commitStatuses.push(record);
    return record;
  }

  /** What a required context is on a commit: its newest check run's conclusion (or status), else its newest status. */
  function contextState(repo: string, sha: string, name: string): string | undefined {
    const run = state.checkRuns.filter((r) => r.repo === repo && r.head_sha === sha && r.name === name).at(-1);
    if (run) return run.status === 'completed' ? run.conclusion ?? 'neutral' : run.status;
    return state.commitStatuses.filter((x) => x.repo === repo && x.sha === sha && x.context === name).at(-1)?.state;
  }

  // ---- server -----------------------------------------------------------------------------------

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
    // GitHub Enterprise Server serves its REST API under /api/v3 of its web host: so does the double.
    const enterpriseApi = parsed.pathname.startsWith('/api/v3/');
    if (enterpriseApi) parsed.pathname = parsed.pathname.slice('/api/v3'.length);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const cred = credential(req);
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path: parsed.pathname,
      query: Object.fromEntries(parsed.searchParams),
      body: undefined,
      token: cred.value,
      auth: cred.kind,
      status: 0,
      ...(enterpriseApi ? { enterpriseApi: true as const } : {}),
    };
    state.calls.push(call);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(now() / 1000) + 3600),
      'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
    };
    const send = (status: number, body: unknown) => {
      call.status = status;
      // An installation token's requests count against its installation's hourly limit, except 304s.
      const issued = call.auth === 'installation' && call.token ? tokens.get(call.token) : undefined;
      if (issued && headers['x-ratelimit-remaining'] !== '0') {
        const rate = rateOf(issued.installationId);
        if (status !== 304 && rate.remaining > 0) rate.remaining -= 1;
        headers['x-ratelimit-limit'] = String(rate.limit);
        headers['x-ratelimit-remaining'] = String(rate.remaining);
        headers['x-ratelimit-used'] = String(rate.limit - rate.remaining);
      }
      if (status === 204 || body === undefined) {
        delete headers['content-type'];
        res.writeHead(status, headers).end();
      } else res.writeHead(status, headers).end(JSON.stringify(body));
    };
    try {
      const fault = faults.find((f) => f.remaining > 0 && (!f.method || f.method.toUpperCase() === call.method) && (typeof f.path === 'string' ? call.path === f.path : f.path.test(call.path)));
      if (fault) {
        fault.remaining -= 1;
        if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
        if (fault.status !== undefined) {
          if (fault.status === 403 || fault.status === 429) {
            if (fault.retryAfter !== undefined) {
              headers['retry-after'] = String(fault.retryAfter);
              send(fault.status, fault.body ?? { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' });
            } else {
              headers['x-ratelimit-remaining'] = '0';
              headers['x-ratelimit-reset'] = String(Math.floor(now() / 1000) + (fault.resetAfter ?? 1));
              send(fault.status, fault.body ?? { message: 'API rate limit exceeded for installation.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' });
            }
          } else {
            if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
            send(fault.status, fault.body ?? { message: fault.status >= 500 ? 'Server Error' : 'Injected fault' });
          }
          return;
        }
      }
      const limited = call.auth === 'installation' && call.token ? tokens.get(call.token) : undefined;
      if (limited && rateOf(limited.installationId).remaining <= 0) {
        headers['x-ratelimit-remaining'] = '0';
        send(403, { message: 'API rate limit exceeded for installation.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' });
        return;
      }
      // github.com's pages and the web-flow endpoints (forms, not JSON): see github-web.ts.
      if (await webFlow.handle(req, res, parsed.pathname, call.query, raw)) {
        call.status = res.statusCode;
        return;
      }
      if (raw.length > 0) {
        try {
          call.body = JSON.parse(raw);
        } catch {
          throw new HttpError(400, 'Problems parsing JSON');
        }
      }
      const ctx: Ctx = { requestHeaders: req.headers, method: call.method, path: call.path, query: call.query, body: call.body, call, res, headers };
      for (const [method, regex, handler] of routes) {
        const m = method === call.method ? regex.exec(call.path) : null;
        if (m) {
          const [status, body] = await handler(ctx, m.slice(1).map((s) => decodeURIComponent(s)));
          send(status, body);
          return;
        }
      }
      throw new HttpError(404, 'Not Found');
    } catch (error) {
      if (error instanceof HttpError) {
        send(error.status, { message: error.message, documentation_url: 'https://docs.github.com/rest', ...error.extra });
      } else {
        send(500, { message: String(error) });
      }
    }
  }

  const webFlow = createGitHubWeb({
    url: () => url,
    appId,
    privateKeyPem,
    now,
    installations,
    addInstallation: (input) => {
      const installation: Installation = { id: input.id, account: input.account, repositories: [...input.repositories], permissions: { ...DEFAULT_PERMISSIONS } };
      installations.set(input.id, installation);
      for (const repo of input.repositories) if (!repositories.has(repo)) addRepository(repo);
      return installation;
    },
    permissionOf: (repo, user) => permissions.get(`${repo}#${user.toLowerCase()}`) ?? 'none',
    repositoryId: (repo) => (repositories.get(repo) ?? addRepository(repo)).id,
  });
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const double: GitHubDouble = {
    url,
    appId,
    appSlug,
    privateKeyPem,
    ...state,
    web: webFlow.web,
    installations,
    repositories,
    tokens,
    addInstallation(input) {
      const installation: Installation = { id: input.id, account: input.account, repositories: [...input.repositories], permissions: input.permissions ?? { ...DEFAULT_PERMISSIONS } };
      installations.set(input.id, installation);
      for (const repo of input.repositories) if (!repositories.has(repo)) addRepository(repo);
      return installation;
    },
    setCiCheckRun(input) {
      let run = state.checkRuns.find((r) => r.repo === input.repo && r.head_sha === input.sha && r.name === input.name && r.app === 'ci');
      if (!run) {
        run = { id: id(), repo: input.repo, name: input.name, head_sha: input.sha, status: 'queued', conclusion: null, output: { annotations: [] }, app: 'ci' };
        state.checkRuns.push(run);
      }
      run.status = input.status;
      run.conclusion = input.status === 'completed' ? input.conclusion ?? 'success' : null;
      return run;
    },
    addCommitStatus,
    addPullRequest(input) {
      const repository = repositories.get(input.repo) ?? addRepository(input.repo);
      const pr: PullRequestRecord = {
        state: 'open',
        headRef: 'feature',
        headRepo: input.repo,
        baseRef: repository.defaultBranch,
        merged: false,
        draft: false,
        user: 'octocat',
        ...input,
      };
      const index = state.pulls.findIndex((x) => x.repo === pr.repo && x.number === pr.number);
      if (index >= 0) state.pulls[index] = pr;
      else state.pulls.push(pr);
      return pr;
    },
    removeInstallation(installationId) {
      installations.delete(installationId);
    },
    addRepository,
    injectFault(fault) {
      faults.push({ ...fault, remaining: fault.times ?? 1 });
    },
    clearFaults() {
      faults = [];
    },
    setPermission(repo, user, permission) {
      permissions.set(`${repo}#${user.toLowerCase()}`, permission);
    },
    addHookDelivery(input) {
      const payload = input.payload as { installation?: { id?: number }; repository?: { id?: number } } | undefined;
      const statusCode = input.statusCode ?? 502;
      return hookAttempt({
        guid: input.guid ?? crypto.randomUUID(),
        redelivery: false,
        status: statusCode >= 200 && statusCode < 300 ? 'OK' : statusCode === 0 ? 'timed out' : `Invalid HTTP Response: ${statusCode}`,
        status_code: statusCode,
        event: input.event,
        action: input.action ?? null,
        installation_id: payload?.installation?.id ?? null,
        repository_id: payload?.repository?.id ?? null,
        payload: input.payload,
        redeliverable: input.redeliverable ?? true,
      }, input.deliveredAt);
    },
    setHookTarget(targetUrl, secret) {
      hookTarget = { url: targetUrl, secret };
    },
    async redeliveriesSettled() {
      while (redelivering.size > 0) await Promise.all(redelivering);
    },
    setRateLimit(installationId, remaining, limit) {
      const rate = rateOf(installationId);
      rate.remaining = remaining;
      if (limit !== undefined) rate.limit = limit;
    },
    rateRemaining: (installationId) => rateOf(installationId).remaining,
    setTokenTtl(ms) {
      tokenTtlMs = ms;
    },
    issueToken: (installationId) => issueToken(installationId),
    tokenCanRead(token, repo) {
      const issued = tokens.get(token);
      const installation = issued && installations.get(issued.installationId);
      return !!issued && !!installation && !installation.suspended && issued.expiresAt > now() && issued.repositories.includes(repo) && installation.repositories.includes(repo) && !!issued.permissions.contents;
    },
    seedComment(repo, issueNumber, body, login = 'someone') {
      const comment: CommentRecord = { id: id(), repo, issue_number: issueNumber, body, user: { login, type: 'User' }, created_at: iso(), updated_at: iso(), html_url: `https://github.com/${repo}/pull/${issueNumber}` };
      state.comments.push(comment);
      return comment;
    },
    callsTo(method, path) {
      return state.calls.filter((c) => c.method === method.toUpperCase() && (typeof path === 'string' ? c.path === path : path.test(c.path)));
    },
    reset() {
      for (const list of Object.values(state)) list.length = 0;
      faults = [];
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return double;
}

/** The public key matching a double's private key, e.g. to check a JWT by hand. */
export function publicKeyOf(privateKeyPem: string): KeyObject {
  return createPublicKey(privateKeyPem);
}
