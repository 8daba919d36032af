/**
 * The repository a delivery is about, made ready to work on: allowed by the allow-list, held by the
 * installation the delivery names (recorded, or confirmed through GitHub: confirm-repository-owner.ts)
 * before any token is asked for, its installation known (recorded from the payload when an
 * `installation` event was missed; an installation GitHub does not know ends the job), an Octokit
 * and an installation token for it. The clone URL is the configured GitHub host's, never the
 * payload's `clone_url`: the token goes only to GitHub.
 */
import { GitHubError, repositoryCloneUrl, resolveGithubWebUrl, type GitHubApp, type Octokit } from '../github/index.ts';
import { isRepositoryAllowed } from '../settings/repository-allow-list.ts';
import { findInstallation, upsertInstallation } from '../store/installations.ts';
import { upsertRepositories } from '../store/repositories.ts';
import { confirmRepositoryOwner } from './confirm-repository-owner.ts';
import { PermanentSkip, type WebhookContext } from './webhook-context.ts';

export type RepositoryContext = {
  installationId: number;
  repositoryId: number;
  fullName: string;
  owner: string;
  repo: string;
  /** `<GitHub host>/<owner>/<repo>.git`, built from the settings (see clone-url.ts). */
  cloneUrl: string;
  /** `<GitHub host>/<owner>/<repo>`: the repository's pages (a commit's checks: `/commit/<sha>/checks`). */
  webUrl: string;
  defaultBranch: string;
  /** Cache folder name: the repository id, stable across renames. */
  repoKey: string;
  token: string;
  octokit: Octokit;
  /** Our living comments' ids, remembered by this process (see GitHubApp.commentIds). */
  commentIds: GitHubApp['commentIds'];
};

/** What a delivery says about its repository (checked by parseEvent). */
export type RepositoryFields = {
  id: number;
  full_name: string;
  /** Never read: clones go to the configured GitHub host. */
  clone_url?: string;
  default_branch?: string;
  private?: boolean;
  owner?: { login: string; type?: string } | null;
};

export async function repositoryContext(
  { deps }: WebhookContext,
  payload: { installation?: { id: number }; repository?: RepositoryFields },
): Promise<RepositoryContext> {
  const installationId = payload.installation?.id;
  const repository = payload.repository;
  if (!installationId || !repository) throw new PermanentSkip('ignored: the delivery names no installation or repository');
  if (!isRepositoryAllowed(deps.settings.repositoryPatterns, repository.full_name)) {
    throw new PermanentSkip(`ignored: ${repository.full_name} is not in SLIPWAY_REPOSITORIES`);
  }
  const db = deps.store.db;
  const known = await findInstallation(db, installationId);
  if (known?.removedAt) throw new PermanentSkip(`ignored: installation ${installationId} was uninstalled`);
  if (known?.suspendedAt) throw new PermanentSkip(`ignored: installation ${installationId} is suspended`);
  const web = resolveGithubWebUrl(deps.settings.githubApiUrl, deps.settings.githubUrl);
  const cloneUrl = repositoryCloneUrl(web, repository.full_name);
  await confirmRepositoryOwner(deps, installationId, repository);

  let token: string;
  try {
    token = (await deps.github.installationToken(installationId)).token;
  } catch (error) {
    if (error instanceof GitHubError && (error.status === 404 || error.status === 401 || error.status === 403) && !error.rateLimited) {
      throw new PermanentSkip(`ignored: GitHub does not know installation ${installationId} (${error.status})`);
    }
    throw error;
  }
  const [owner, repo] = repository.full_name.split('/') as [string, string];
  const current = [{ id: repository.id, fullName: repository.full_name, defaultBranch: repository.default_branch ?? null, private: repository.private ?? false }];
  if (known) await upsertRepositories(db, installationId, current); // one statement: no transaction needed
  else {
    await db.transaction(async (t) => {
      await upsertInstallation(t, { id: installationId, accountLogin: repository.owner?.login ?? owner, accountType: repository.owner?.type });
      await upsertRepositories(t, installationId, current);
    });
  }
  return {
    installationId,
    repositoryId: repository.id,
    fullName: repository.full_name,
    owner,
    repo,
    cloneUrl,
    webUrl: `${web}/${repository.full_name}`,
    defaultBranch: repository.default_branch ?? 'main',
    repoKey: String(repository.id),
    token,
    octokit: await deps.github.octokit(installationId),
    commentIds: deps.github.commentIds,
  };
}
