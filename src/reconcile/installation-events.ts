/**
 * `installation` and `installation_repositories`: keep the store's installations and repositories
 * true. Repositories outside the allow-list (`SLIPWAY_REPOSITORIES`) are not recorded.
 */
import { isRepositoryAllowed } from '../settings/repository-allow-list.ts';
import { removeInstallation, upsertInstallation } from '../store/installations.ts';
import { removeRepositories, upsertRepositories, type RepositoryInput } from '../store/repositories.ts';
import type { Outcome, WebhookContext } from './webhook-context.ts';

type MiniRepo = { id: number; full_name: string; private?: boolean };

export async function handleInstallation({ deps, delivery }: WebhookContext): Promise<Outcome> {
  const { payload, action } = delivery;
  const installation = payload.installation as { id: number; account: { login: string; type?: string } };
  const db = deps.store.db;
  const allowed = (repos: MiniRepo[] | undefined): RepositoryInput[] =>
    (repos ?? [])
      .filter((r) => isRepositoryAllowed(deps.settings.repositoryPatterns, r.full_name))
      .map((r) => ({ id: r.id, fullName: r.full_name, private: r.private ?? false }));

  return db.transaction(async (t) => {
    const base = { id: installation.id, accountLogin: installation.account.login, accountType: installation.account.type };
    switch (`${delivery.event}.${action}`) {
      case 'installation.created':
      case 'installation.new_permissions_accepted': {
        await upsertInstallation(t, { ...base, suspended: false });
        const repos = allowed(payload.repositories);
        await upsertRepositories(t, installation.id, repos);
        return `installation ${installation.id} (${base.accountLogin}) recorded with ${repos.length} repositories`;
      }
      case 'installation.deleted':
        await upsertInstallation(t, base);
        await removeInstallation(t, installation.id);
        return `installation ${installation.id} removed`;
      case 'installation.suspend':
        await upsertInstallation(t, { ...base, suspended: true });
        return `installation ${installation.id} suspended`;
      case 'installation.unsuspend':
        await upsertInstallation(t, { ...base, suspended: false });
        return `installation ${installation.id} unsuspended`;
      case 'installation_repositories.added':
      case 'installation_repositories.removed': {
        await upsertInstallation(t, base);
        const added = allowed(payload.repositories_added);
        await upsertRepositories(t, installation.id, added);
        const removed = ((payload.repositories_removed ?? []) as MiniRepo[]).map((r) => r.id);
        const n = await removeRepositories(t, installation.id, removed);
        return `installation ${installation.id}: ${added.length} repositories added, ${n} removed`;
      }
      default:
        return `ignored: ${delivery.event}.${action}`;
    }
  });
}
