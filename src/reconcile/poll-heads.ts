/**
 * Step b of a tick: the default-branch head of every tracked repository, read conditionally (its
 * last ETag: an unchanged head is a 304, which costs no rate limit). A head that no push delivery
 * announced is enqueued as the push GitHub would have sent (enqueue-missed-push.ts): this catches
 * pushes GitHub never delivered.
 *
 * Per installation, a tick spends at most `rateShare` of the remaining rate limit (the first
 * answer says what remains); repositories are read longest-unpolled first, so those a tick leaves
 * are read first by the next. A rate limit that outlasts octokit's retries (a secondary limit's
 * `retry-after`) ends that installation's reads for this tick; nothing read is lost, nothing unread
 * is marked read. Bad input — a repository deleted or no longer granted, a default branch renamed
 * or gone — is recorded on the repository and in the tick's problems, and the tick goes on.
 */
import type { Octokit } from 'octokit';
import { getRepository } from '../github/get-repository.ts';
import { GitHubError } from '../github/github-error.ts';
import { readBranchHead, type BranchHead } from '../github/read-branch-head.ts';
import type { RateLimit } from '../github/rate-limit.ts';
import { isRepositoryAllowed } from '../settings/repository-allow-list.ts';
import { hasPushOf, markHeadsUnchanged, saveHeads, setDefaultBranch, trackedRepositories, type HeadUpdate as StoredHead, type TrackedRepository } from '../store/repository-heads.ts';

type HeadUpdate = StoredHead & { unchanged?: boolean; hadProblem?: boolean };
import { enqueueMissedPush } from './enqueue-missed-push.ts';
import { mapLimit } from './map-limit.ts';
import { recordProblem, type TickContext } from './tick-context.ts';

// Installations read at once, and repositories of one installation at once (GitHub asks
// integrators to avoid many concurrent requests per installation).
const installationsAtOnce = 8;
const reposAtOnce = 4;

export async function pollHeads(ctx: TickContext): Promise<void> {
  const { deps } = ctx;
  const tracked = (await trackedRepositories(deps.store.db)).filter((t) => isRepositoryAllowed(deps.settings.repositoryPatterns, t.repository.fullName));
  const byInstallation = new Map<number, TrackedRepository[]>();
  for (const t of tracked) {
    const list = byInstallation.get(t.repository.installationId) ?? [];
    list.push(t);
    byInstallation.set(t.repository.installationId, list);
  }
  const updates: HeadUpdate[] = [];
  await mapLimit([...byInstallation], installationsAtOnce, ([installationId, repos]) => pollInstallation(ctx, installationId, repos, updates));
  // Most heads are unchanged (304). Their read time matters only for the order of the next tick
  // when this one left some repositories unread: otherwise they are not written at all (1,000 row
  // updates a tick for nothing; on the embedded database, which has no autovacuum, each leaves a
  // dead row behind). One whose last read had failed is written to clear its problem.
  const deferredSome = ctx.summary.deferred > 0;
  const unchanged = updates.filter((u) => u.unchanged && (deferredSome || u.hadProblem)).map((u) => u.repositoryId);
  await markHeadsUnchanged(deps.store.db, unchanged);
  await saveHeads(deps.store.db, updates.filter((u) => !u.unchanged));
}

type Budget = { spent: number; budget: number | null; remaining: number | null; stopped?: string; backoffSec?: number };

async function pollInstallation(ctx: TickContext, installationId: number, repos: TrackedRepository[], updates: HeadUpdate[]): Promise<void> {
  const { deps, summary } = ctx;
  // GitHub asked the last tick to wait (retry-after): no request to this installation until then.
  const backoff = ctx.last?.summary?.rate?.[String(installationId)]?.backoffSec;
  if (backoff !== undefined && ctx.last!.finishedAt.getTime() + backoff * 1000 > ctx.now.getTime()) {
    summary.deferred += repos.length;
    summary.rate![String(installationId)] = { spent: 0, budget: 0, remaining: null, backoffSec: Math.ceil((ctx.last!.finishedAt.getTime() + backoff * 1000 - ctx.now.getTime()) / 1000) };
    return;
  }
  let octokit: Octokit;
  try {
    octokit = await deps.github.octokit(installationId);
  } catch (error) {
    if (!(error instanceof GitHubError)) throw error;
    recordProblem(ctx, `installation ${installationId}: no token (${error.message}); its ${repos.length} repositories skipped`);
    summary.deferred += repos.length;
    return;
  }
  const budget: Budget = { spent: 0, budget: null, remaining: null };
  let inFlight = 0;
  const count = (rate: RateLimit | undefined, cost: number) => {
    budget.spent += cost;
    if (!rate) return;
    budget.remaining = rate.remaining;
    // The share is of what remained when the tick started reading this installation.
    budget.budget ??= Math.floor((rate.remaining + cost) * ctx.settings.rateShare);
  };
  // A request is made only if it fits the budget with the ones in flight counted as spent.
  const reserve = (): boolean => {
    if (ctx.signal.aborted || budget.stopped !== undefined) return false;
    if (budget.budget !== null && budget.spent + inFlight >= budget.budget) return false;
    inFlight += 1;
    return true;
  };
  const release = () => {
    inFlight -= 1;
  };

  const poll = async (t: TrackedRepository) => {
    if (!reserve()) {
      summary.deferred += 1;
      return;
    }
    try {
      const update = await pollRepository(ctx, octokit, installationId, t, count, { reserve, release });
      if (update) updates.push(update);
      else summary.deferred += 1;
    } catch (error) {
      if (!(error instanceof GitHubError)) throw error;
      if (error.rateLimited) {
        budget.stopped ??= error.message;
        if (error.retryAfterSec !== undefined) budget.backoffSec = error.retryAfterSec;
        summary.deferred += 1;
        return;
      }
      recordProblem(ctx, `${t.repository.fullName}: ${error.message}`);
      updates.push({ repositoryId: t.repository.id, branch: t.head?.branch ?? t.repository.defaultBranch ?? 'main', sha: null, etag: null, problem: error.message.slice(0, 500) });
    } finally {
      release();
    }
  };
  // The first read alone: its answer says how much rate limit remains, and so the budget.
  if (repos.length > 0) await poll(repos[0]!);
  await mapLimit(repos.slice(1), reposAtOnce, poll);
  if (budget.stopped) recordProblem(ctx, `installation ${installationId}: rate limited, reads left to the next tick (${budget.stopped})`);
  summary.rate![String(installationId)] = { spent: budget.spent, budget: budget.budget ?? 0, remaining: budget.remaining, ...(budget.backoffSec !== undefined ? { backoffSec: budget.backoffSec } : {}) };
}

async function pollRepository(
  ctx: TickContext,
  octokit: Octokit,
  installationId: number,
  t: TrackedRepository,
  count: (rate: RateLimit | undefined, cost: number) => void,
  slot: { reserve: () => boolean; release: () => void },
): Promise<HeadUpdate | undefined> {
  const { deps, summary } = ctx;
  const { repository, head } = t;
  const [owner, repo] = repository.fullName.split('/') as [string, string];
  let branch = repository.defaultBranch ?? head?.branch ?? 'main';
  const read = async (etag: string | null | undefined): Promise<BranchHead | 'branch-missing'> => {
    try {
      const answer = await readBranchHead(deps.github, { installationId, owner, repo, branch, etag });
      count(answer.rate, answer.modified ? 1 : 0);
      return answer;
    } catch (error) {
      count(undefined, 1);
      if (error instanceof GitHubError && error.status === 404) return 'branch-missing';
      throw error;
    }
  };

  summary.polled += 1;
  let answer = await read(head?.branch === branch ? head.etag : null);
  // 404: the branch is gone (renamed default branch), or the repository is (deleted, or access
  // removed: GitHub hides what a token cannot see). The repository says which.
  let info: Awaited<ReturnType<typeof getRepository>> | undefined;
  if (answer === 'branch-missing') {
    info = await getRepository(octokit, owner, repo).catch((error: unknown) => {
      count(undefined, 1);
      if (error instanceof GitHubError && (error.status === 404 || error.status === 403) && !error.rateLimited) {
        throw new GitHubError(`repository not found (deleted, or the App's access to it removed): GitHub answered ${error.status}`, { status: error.status, cause: error });
      }
      throw error;
    });
    count(undefined, 1);
    if (info.defaultBranch === branch) throw new GitHubError(`default branch ${branch} not found`, { status: 404 });
    recordProblem(ctx, `${repository.fullName}: default branch renamed from ${branch} to ${info.defaultBranch}`);
    branch = info.defaultBranch;
    await setDefaultBranch(deps.store.db, repository.id, branch);
    answer = await read(null);
    if (answer === 'branch-missing') throw new GitHubError(`default branch ${branch} not found`, { status: 404 });
  }
  if (!answer.modified) {
    summary.notModified += 1;
    return { repositoryId: repository.id, branch, sha: head?.sha ?? null, etag: head?.etag ?? null, problem: null, unchanged: head?.branch === branch, hadProblem: head?.problem != null };
  }
  const { sha, etag } = answer;
  if (sha !== head?.sha && !(await hasPushOf(deps.store.db, repository.id, sha))) {
    if (!info) {
      // One more request: over budget, the repository is left (unread) to the next tick.
      if (!slot.reserve()) return undefined;
      try {
        info = await getRepository(octokit, owner, repo);
      } finally {
        slot.release();
        count(undefined, 1);
      }
    }
    const stored = await enqueueMissedPush(deps.store.db, {
      installationId,
      repository: { id: repository.id, fullName: repository.fullName, cloneUrl: info.cloneUrl, defaultBranch: branch, private: info.private, ownerLogin: owner },
      before: head?.sha ?? null,
      after: sha,
    });
    if (stored) {
      summary.enqueued += 1;
      deps.log(`slipway: reconcile: ${repository.fullName}@${sha.slice(0, 12)} was never pushed to Slipway: enqueued`);
    }
  }
  return { repositoryId: repository.id, branch, sha, etag, problem: null };
}
