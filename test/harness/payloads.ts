// Webhook payload builders with GitHub's shapes (the fields Slipway reads, plus enough around them
// to look real). Every builder takes overrides for the parts a test cares about.
import { createHash } from 'node:crypto';

export interface RepoRef {
  /** `owner/name` */
  fullName: string;
  cloneUrl?: string;
  defaultBranch?: string;
  id?: number;
  private?: boolean;
}

const ZERO_SHA = '0000000000000000000000000000000000000000';

export function fakeSha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

/** The id GitHub gives `owner/name` in these payloads, and in the GitHub double (github-double.ts). */
export function repositoryIdOf(fullName: string): number {
  return idOf(fullName);
}

export function idOf(text: string): number {
  return Number.parseInt(createHash('sha1').update(text).digest('hex').slice(0, 8), 16);
}

export function repositoryPayload(repo: RepoRef) {
  const [owner, name] = repo.fullName.split('/') as [string, string];
  return {
    id: repo.id ?? idOf(repo.fullName),
    node_id: `R_${idOf(repo.fullName)}`,
    name,
    full_name: repo.fullName,
    private: repo.private ?? true,
    owner: { login: owner, id: idOf(owner), type: 'Organization' },
    html_url: `https://github.com/${repo.fullName}`,
    clone_url: repo.cloneUrl ?? `https://github.com/${repo.fullName}.git`,
    default_branch: repo.defaultBranch ?? 'main',
    fork: false,
  };
}

const sender = (login = 'octocat') => ({ login, id: idOf(login), type: 'User' });

export function pushPayload(input: {
  repo: RepoRef;
  installationId: number;
  before?: string;
  after: string;
  ref?: string;
  forced?: boolean;
  deleted?: boolean;
  created?: boolean;
  commits?: Array<{ id: string; message?: string; added?: string[]; modified?: string[]; removed?: string[] }>;
  sender?: string;
}) {
  const ref = input.ref ?? `refs/heads/${input.repo.defaultBranch ?? 'main'}`;
  const deleted = input.deleted ?? input.after === ZERO_SHA;
  const commits = (input.commits ?? (deleted ? [] : [{ id: input.after }])).map((c) => ({
    id: c.id,
    tree_id: fakeSha(`tree-${c.id}`),
    message: c.message ?? 'Update',
    timestamp: '2026-11-27T06:00:00Z',
    author: { name: 'Octo Cat', email: 'octocat@example.test', username: 'octocat' },
    added: c.added ?? [],
    modified: c.modified ?? [],
    removed: c.removed ?? [],
  }));
  return {
    ref,
    before: input.before ?? ZERO_SHA,
    after: deleted ? ZERO_SHA : input.after,
    created: input.created ?? input.before === undefined,
    deleted,
    forced: input.forced ?? false,
    base_ref: null,
    compare: `https://github.com/${input.repo.fullName}/compare/${(input.before ?? ZERO_SHA).slice(0, 12)}...${input.after.slice(0, 12)}`,
    commits,
    head_commit: commits.at(-1) ?? null,
    repository: { ...repositoryPayload(input.repo), pushed_at: 1795500000, master_branch: input.repo.defaultBranch ?? 'main' },
    pusher: { name: input.sender ?? 'octocat', email: 'octocat@example.test' },
    sender: sender(input.sender),
    installation: { id: input.installationId, node_id: `MDIz${input.installationId}` },
  };
}

export type PullRequestAction = 'opened' | 'synchronize' | 'reopened' | 'closed' | 'ready_for_review' | 'edited';

export function pullRequestPayload(input: {
  action: PullRequestAction;
  repo: RepoRef;
  installationId: number;
  number: number;
  headSha: string;
  headRef?: string;
  baseSha?: string;
  baseRef?: string;
  /** A fork: the head repository differs from the base one. */
  headRepo?: RepoRef;
  before?: string;
  merged?: boolean;
  draft?: boolean;
  title?: string;
  sender?: string;
}) {
  const headRepo = input.headRepo ?? input.repo;
  const fork = headRepo.fullName !== input.repo.fullName;
  const closed = input.action === 'closed';
  const pr = {
    id: idOf(`${input.repo.fullName}#${input.number}`),
    number: input.number,
    state: closed ? 'closed' : 'open',
    title: input.title ?? `Change ${input.number}`,
    draft: input.draft ?? false,
    merged: closed ? (input.merged ?? false) : false,
    merge_commit_sha: closed && input.merged ? fakeSha(`merge-${input.number}`) : null,
    html_url: `https://github.com/${input.repo.fullName}/pull/${input.number}`,
    user: sender(input.sender),
    head: {
      label: `${headRepo.fullName.split('/')[0]}:${input.headRef ?? 'feature'}`,
      ref: input.headRef ?? 'feature',
      sha: input.headSha,
      repo: { ...repositoryPayload(headRepo), fork },
      user: sender(headRepo.fullName.split('/')[0]),
    },
    base: {
      label: `${input.repo.fullName.split('/')[0]}:${input.baseRef ?? input.repo.defaultBranch ?? 'main'}`,
      ref: input.baseRef ?? input.repo.defaultBranch ?? 'main',
      sha: input.baseSha ?? fakeSha(`base-${input.number}`),
      repo: repositoryPayload(input.repo),
      user: sender(input.repo.fullName.split('/')[0]),
    },
  };
  return {
    action: input.action,
    number: input.number,
    ...(input.action === 'synchronize' ? { before: input.before ?? fakeSha(`before-${input.headSha}`), after: input.headSha } : {}),
    pull_request: pr,
    repository: repositoryPayload(input.repo),
    sender: sender(input.sender),
    installation: { id: input.installationId, node_id: `MDIz${input.installationId}` },
  };
}

export function installationPayload(input: {
  action: 'created' | 'deleted' | 'suspend' | 'unsuspend' | 'new_permissions_accepted';
  installationId: number;
  account: string;
  repositories?: string[];
  appId?: number;
  sender?: string;
}) {
  return {
    action: input.action,
    installation: {
      id: input.installationId,
      account: { login: input.account, id: idOf(input.account), type: 'Organization' },
      app_id: input.appId ?? 4242,
      app_slug: 'slipway',
      repository_selection: 'selected',
      permissions: { checks: 'write', contents: 'read', deployments: 'write', issues: 'write', metadata: 'read', pull_requests: 'write' },
      events: ['push', 'pull_request', 'issue_comment', 'installation', 'installation_repositories'],
      suspended_at: input.action === 'suspend' ? '2026-11-27T06:00:00Z' : null,
    },
    repositories: (input.repositories ?? []).map(miniRepo),
    sender: sender(input.sender),
  };
}

function miniRepo(fullName: string) {
  return { id: idOf(fullName), node_id: `R_${idOf(fullName)}`, name: fullName.split('/')[1], full_name: fullName, private: true };
}

export function installationRepositoriesPayload(input: {
  action: 'added' | 'removed';
  installationId: number;
  account: string;
  added?: string[];
  removed?: string[];
  sender?: string;
}) {
  return {
    action: input.action,
    installation: installationPayload({ action: 'created', installationId: input.installationId, account: input.account }).installation,
    repository_selection: 'selected',
    repositories_added: (input.added ?? []).map(miniRepo),
    repositories_removed: (input.removed ?? []).map(miniRepo),
    sender: sender(input.sender),
  };
}

export function issueCommentPayload(input: {
  action?: 'created' | 'edited' | 'deleted';
  repo: RepoRef;
  installationId: number;
  issueNumber: number;
  body: string;
  /** True when the issue is a pull request. */
  pullRequest?: boolean;
  commentId?: number;
  sender?: string;
}) {
  const pullRequest = input.pullRequest ?? true;
  return {
    action: input.action ?? 'created',
    issue: {
      id: idOf(`issue-${input.repo.fullName}#${input.issueNumber}`),
      number: input.issueNumber,
      title: `Change ${input.issueNumber}`,
      state: 'open',
      user: sender(),
      ...(pullRequest ? { pull_request: { url: `https://api.github.com/repos/${input.repo.fullName}/pulls/${input.issueNumber}`, html_url: `https://github.com/${input.repo.fullName}/pull/${input.issueNumber}` } } : {}),
    },
    comment: {
      id: input.commentId ?? idOf(`comment-${input.body}`),
      body: input.body,
      user: sender(input.sender),
      author_association: 'MEMBER',
      created_at: '2026-11-27T06:00:00Z',
    },
    repository: repositoryPayload(input.repo),
    sender: sender(input.sender),
    installation: { id: input.installationId, node_id: `MDIz${input.installationId}` },
  };
}

/** `check_run` as GitHub sends it: `completed` (a CI check finished) or `requested_action` (a button pressed). */
export function checkRunPayload(input: {
  action: 'completed' | 'requested_action' | 'created';
  repo: RepoRef;
  installationId: number;
  sha: string;
  name: string;
  id?: number;
  conclusion?: string | null;
  externalId?: string;
  /** With requested_action: the pressed button's identifier. */
  identifier?: string;
  sender?: string;
  appSlug?: string;
}) {
  return {
    action: input.action,
    check_run: {
      id: input.id ?? idOf(`check-${input.name}-${input.sha}`),
      name: input.name,
      head_sha: input.sha,
      status: input.action === 'completed' ? 'completed' : 'completed',
      conclusion: input.conclusion ?? (input.action === 'completed' ? 'success' : 'neutral'),
      external_id: input.externalId ?? '',
      app: { id: idOf(input.appSlug ?? 'ci'), slug: input.appSlug ?? 'ci' },
      check_suite: { id: idOf(`suite-${input.sha}`), head_sha: input.sha },
    },
    ...(input.action === 'requested_action' ? { requested_action: { identifier: input.identifier ?? 'apply' } } : {}),
    repository: repositoryPayload(input.repo),
    sender: sender(input.sender),
    installation: { id: input.installationId, node_id: `MDIz${input.installationId}` },
  };
}

/** `status`: a commit status posted by CI. */
export function statusPayload(input: { repo: RepoRef; installationId: number; sha: string; context: string; state: 'pending' | 'success' | 'failure' | 'error' }) {
  return {
    id: idOf(`status-${input.context}-${input.sha}-${input.state}`),
    sha: input.sha,
    name: input.repo.fullName,
    context: input.context,
    state: input.state,
    description: null,
    target_url: null,
    commit: { sha: input.sha },
    branches: [],
    repository: repositoryPayload(input.repo),
    sender: sender(),
    installation: { id: input.installationId, node_id: `MDIz${input.installationId}` },
  };
}

export { ZERO_SHA };
