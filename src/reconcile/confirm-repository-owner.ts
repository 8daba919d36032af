/**
 * A delivery names an installation and a repository; a signed payload can name any pair (whoever
 * holds the webhook secret could otherwise obtain a token for every installation). A job acts for
 * a repository only when the installation it names holds it:
 *  - recorded: the store has the repository (by id and name) under that installation, from
 *    `installation` / `installation_repositories` events or an earlier confirmation;
 *  - otherwise confirmed through GitHub, as the App (no token minted): `GET /repos/{o}/{r}/installation`
 *    must be that installation; then, with that installation's token (the repository is its own),
 *    `GET /repos/{o}/{r}` must have the delivery's repository id (tenants are keyed by it).
 * Anything else ends the job (PermanentSkip) with the reason; nothing is retried.
 */
import type { Deps } from '../deps.ts';
import { getRepository, getRepositoryInstallation, GitHubError } from '../github/index.ts';
import { findRepository } from '../store/repositories.ts';
import { PermanentSkip } from './webhook-context.ts';

export type OwnedRepository = { id: number; full_name: string };

/** How the ownership was known: from the store, or asked of GitHub. */
export type Ownership = 'recorded' | 'confirmed';

export async function confirmRepositoryOwner(deps: Pick<Deps, 'store' | 'github'>, installationId: number, repository: OwnedRepository): Promise<Ownership> {
  const recorded = await findRepository(deps.store.db, repository.id);
  if (recorded && recorded.installationId === installationId && !recorded.removedAt && recorded.fullName.toLowerCase() === repository.full_name.toLowerCase()) {
    return 'recorded';
  }
  const [owner, repo] = repository.full_name.split('/') as [string, string];
  const holder = await getRepositoryInstallation(deps.github.appOctokit, owner, repo);
  if (holder === undefined) throw new PermanentSkip(`ignored: the App is not installed on ${repository.full_name} (the delivery names installation ${installationId}); no token was requested`);
  if (holder !== installationId) {
    throw new PermanentSkip(`ignored: ${repository.full_name} does not belong to installation ${installationId}, which the delivery names; no token was requested for it`);
  }
  let actual;
  try {
    actual = await getRepository(await deps.github.octokit(installationId), owner, repo);
  } catch (error) {
    if (error instanceof GitHubError && error.status === 404) throw new PermanentSkip(`ignored: installation ${installationId} cannot read ${repository.full_name}`);
    throw error;
  }
  if (actual.id !== repository.id) {
    throw new PermanentSkip(`ignored: the delivery gives ${repository.full_name} the id ${repository.id}, GitHub gives it ${actual.id}`);
  }
  return 'confirmed';
}
