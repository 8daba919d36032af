// GitHub App authentication: app id + private key → app JWT (octokit's App) → installation tokens,
// cached until shortly before they expire. Every Octokit made here has octokit's retry (5xx) and
// throttling (rate limits, honouring `retry-after`) plugins configured for a background worker.
import Bottleneck from 'bottleneck';
import { LruMap } from '../lru-map.ts';
import { App, Octokit } from 'octokit';
import { GitHubError, toGitHubError } from './github-error.ts';

export type { Octokit } from 'octokit';

export interface GitHubLog {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

export interface GitHubAppOptions {
  appId: number | string;
  /** PEM (PKCS#1 or PKCS#8). */
  privateKey: string;
  /** `https://api.github.com`, or `https://<host>/api/v3` for GitHub Enterprise Server. */
  baseUrl?: string;
  /** Told GitHub's `x-ratelimit-remaining` after each installation request (the service's metrics). */
  onRateLimitRemaining?: (installationId: number, remaining: number) => void;
  log?: GitHubLog;
  /** Clock for token expiry (default Date.now). */
  now?: () => number;
  /** A cached token is replaced when it has less than this left (default 5 minutes; tokens live 1 hour). */
  refreshMarginMs?: number;
  /** Rate-limit retries per request (default 2). */
  rateLimitRetries?: number;
  /** Retries of 5xx and network errors per request (default 3). */
  serverErrorRetries?: number;
  /**
   * Milliseconds per "second" of waiting: retry-after and back-off delays are multiplied by it
   * (default 1000; tests use ~1 to keep retries short).
   */
  retryBaseMs?: number;
  /** Give up waiting on a rate limit longer than this many seconds and throw instead (default 120). */
  maxRetryAfterSec?: number;
  /** Minimum spacing between writes per installation (octokit defaults to 1 s, 3 s for notifying writes; default 0). */
  writeSpacingMs?: number;
  /** Abort a request that takes longer (default 30 s). */
  requestTimeoutMs?: number;
}

export interface InstallationToken {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface GitHubApp {
  installationToken(installationId: number): Promise<InstallationToken>;
  /** An Octokit authenticated as the installation; it renews its token by itself as it ages. */
  octokit(installationId: number): Promise<Octokit>;
  /** Authenticated as the app (JWT): /app/installations, /repos/{o}/{r}/installation. */
  appOctokit: Octokit;
  /** Drops a cached token (e.g. after GitHub answered 401 for it). */
  forgetToken(installationId: number): void;
  /**
   * Ids of our living PR comments, by `owner/repo#number:marker`, as last seen by this process:
   * updating one then needs no listing of the PR's comments first (a round trip, and one more
   * request against the installation's rate limit, on every push to a pull request).
   */
  commentIds: LruMap<string, number>;
  baseUrl: string;
}

const silentLog: GitHubLog = { debug() {}, info() {}, warn() {}, error() {} };

type Task = (...args: unknown[]) => unknown;
/**
 * Stands in for a Bottleneck.Group where octokit's throttling plugin only asks it to run a job
 * (`group.key(id).schedule([options,] fn, ...args)`): runs it now, with no queue or timers.
 */
const passThroughGroup = {
  key: () => ({
    schedule: async (first: unknown, ...rest: unknown[]) =>
      typeof first === 'function' ? (first as Task)(...rest) : (rest[0] as Task)(...rest.slice(1)),
  }),
};

export function createGitHubApp(options: GitHubAppOptions): GitHubApp {
  const baseUrl = (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const log = options.log ?? silentLog;
  const now = options.now ?? Date.now;
  const refreshMarginMs = options.refreshMarginMs ?? 5 * 60 * 1000;
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const maxRetryAfterSec = options.maxRetryAfterSec ?? 120;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;

  // octokit's throttling spaces writes 1 s apart (3 s for writes that notify, like comments) in
  // module-wide groups; for a worker posting a check run, a deployment and a comment per push
  // that is seconds of idle time, so the spacing is ours to choose (GitHub asks for it only for
  // bulk content creation: https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api).
  // With no spacing, the groups that would only pace or cap requests (global: 10 at a time per
  // installation; Slipway's worker slots already make fewer) are passed through: each Bottleneck
  // hop costs timer turns, about 10 ms per request measured against the loopback double
  // (bench/github-request.bench.ts). Rate limits are still handled: the plugin retries 403/429
  // answers through its retry limiter, which stays.
  const spacing = options.writeSpacingMs ?? 0;
  const paced = spacing > 0;
  const write = paced ? new Bottleneck.Group({ maxConcurrent: 4, minTime: spacing }) : passThroughGroup;
  const notifications = paced ? new Bottleneck.Group({ maxConcurrent: 4, minTime: spacing }) : passThroughGroup;

  const onLimit = (kind: string) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    const retry = retryCount < rateLimitRetries && retryAfter <= maxRetryAfterSec;
    log.warn(`GitHub ${kind} on ${request.method} ${request.url}: ${retry ? `retrying after ${retryAfter}s` : 'giving up'}`);
    return retry;
  };

  const fetchWithTimeout: typeof fetch = (input, init) => {
    const signals = [AbortSignal.timeout(timeoutMs), ...(init?.signal ? [init.signal] : [])];
    return fetch(input, { ...init, signal: AbortSignal.any(signals) });
  };

  // Limiter keys: one per installation, since GitHub's limits are per installation (octokit's
  // global group then allows 10 concurrent requests per installation).
  const throttle = (id: string) => ({
    id,
    write,
    notifications,
    ...(paced ? {} : { global: passThroughGroup, auth: passThroughGroup, search: passThroughGroup }),
    retryAfterBaseValue: retryBaseMs,
    onRateLimit: onLimit('rate limit'),
    onSecondaryRateLimit: onLimit('secondary rate limit'),
  });

  const SlipwayOctokit = Octokit.defaults({
    baseUrl,
    log,
    request: { fetch: fetchWithTimeout },
    retry: { retries: options.serverErrorRetries ?? 3, retryAfterBaseValue: retryBaseMs },
    throttle: throttle('app'),
  });

  const app = new App({ appId: options.appId, privateKey: options.privateKey, Octokit: SlipwayOctokit, log });
  const appOctokit = app.octokit as unknown as Octokit;

  const cache = new Map<number, InstallationToken>();
  const pending = new Map<number, Promise<InstallationToken>>();
  const clients = new Map<number, Octokit>();

  async function requestToken(installationId: number): Promise<InstallationToken> {
    try {
      // refresh: octokit's own cache keeps tokens 59 minutes whatever their expiry says; ours does not.
      const auth = (await appOctokit.auth({ type: 'installation', installationId, refresh: true })) as { token: string; expiresAt: string };
      const token = { token: auth.token, expiresAt: Date.parse(auth.expiresAt) };
      cache.set(installationId, token);
      log.debug(`GitHub installation token issued for installation ${installationId}, expires ${auth.expiresAt}`);
      return token;
    } catch (error) {
      throw toGitHubError(`installation token for installation ${installationId}`, error);
    }
  }

  function installationToken(installationId: number): Promise<InstallationToken> {
    const cached = cache.get(installationId);
    if (cached && cached.expiresAt - now() > refreshMarginMs) return Promise.resolve(cached);
    // Concurrent callers share one token request.
    let inflight = pending.get(installationId);
    if (!inflight) {
      inflight = requestToken(installationId).finally(() => pending.delete(installationId));
      pending.set(installationId, inflight);
    }
    return inflight;
  }

  function forgetToken(installationId: number): void {
    cache.delete(installationId);
  }

  async function octokit(installationId: number): Promise<Octokit> {
    let client = clients.get(installationId);
    if (!client) {
      client = new SlipwayOctokit({ authStrategy: installationAuth, auth: { installationId, installationToken, forgetToken }, throttle: throttle(`installation-${installationId}`) });
      const onRateLimit = options.onRateLimitRemaining;
      if (onRateLimit) {
        client.hook.after('request', (response) => {
          const remaining = Number(response.headers['x-ratelimit-remaining']);
          if (Number.isFinite(remaining)) onRateLimit(installationId, remaining);
        });
      }
      clients.set(installationId, client);
    }
    // Fail here, not on first use, when the installation cannot get a token.
    await installationToken(installationId);
    return client;
  }

  return { installationToken, octokit, appOctokit, forgetToken, baseUrl, commentIds: new LruMap<string, number>(10_000) };
}

interface InstallationAuthOptions {
  installationId: number;
  installationToken(installationId: number): Promise<InstallationToken>;
  forgetToken(installationId: number): void;
}

type RequestFn = ((options: Record<string, unknown>) => Promise<unknown>) & {
  endpoint: { merge(route: unknown, parameters?: unknown): Record<string, any> };
};

/** An octokit auth strategy that takes the current installation token from the cache on every request. */
function installationAuth(options: InstallationAuthOptions) {
  const auth = async () => {
    const { token, expiresAt } = await options.installationToken(options.installationId);
    return { type: 'token', tokenType: 'installation', token, expiresAt: new Date(expiresAt).toISOString() };
  };
  auth.hook = async (request: RequestFn, route: unknown, parameters?: unknown) => {
    const endpoint = request.endpoint.merge(route, parameters);
    const first = await options.installationToken(options.installationId);
    endpoint.headers.authorization = `token ${first.token}`;
    try {
      return await request(endpoint);
    } catch (error) {
      // A token revoked or expired early: drop it and try once more with a fresh one.
      if ((error as { status?: number }).status !== 401) throw error;
      options.forgetToken(options.installationId);
      const fresh = await options.installationToken(options.installationId);
      if (fresh.token === first.token) throw error;
      endpoint.headers.authorization = `token ${fresh.token}`;
      return request(endpoint);
    }
  };
  return auth;
}

export { GitHubError };
