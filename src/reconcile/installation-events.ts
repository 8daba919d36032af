/**
 * `installation` and `installation_repositories`: keep the store's installations and repositories
 * true. Repositories outside the allow-list (`SLIPWAY_REPOSITORIES`) are not recorded.
 */
import { isRepositoryAllowed } from '../settings/repository-allow-list.ts';
import type { Db } from '../store/db.ts';
import { removeInstallation, upsertInstallation } from '../store/installations.ts';
import { removeRepositories, upsertRepositories, type RepositoryInput } from '../store/repositories.ts';
import type { EventPayload } from './parse-event.ts';
import type { Outcome, WebhookContext } from './webhook-context.ts';

type ListedRepository = { id: number; full_name: string; private?: boolean };

function allowed(ctx: WebhookContext, repos: readonly ListedRepository[] | null | undefined): RepositoryInput[] {
  return (repos ?? [])
    .filter((r) => isRepositoryAllowed(ctx.deps.settings.repositoryPatterns, r.full_name))
    .map((r) => ({ id: r.id, fullName: r.full_name, private: r.private ?? false }));
}

/** The installation and its account (checked by parseEvent: present, with a login). */
function installationOf(installation: EventPayload<'installation'>['installation']) {
  const account = installation.account as { login: string; type?: string };
  return { id: installation.id, accountLogin: account.login, ...(account.type ? { accountType: account.type } : {}) };
}

export async function handleInstallation(ctx: WebhookContext, payload: EventPayload<'installation'>): Promise<Outcome> {
  const base = installationOf(payload.installation);
  return ctx.deps.store.db.transaction(async (t: Db) => {
    const action: string = payload.action;
    switch (action) {
      case 'created':
      case 'new_permissions_accepted': {
        await upsertInstallation(t, { ...base, suspended: false });
        const repos = allowed(ctx, payload.repositories);
        await upsertRepositories(t, base.id, repos);
        return `installation ${base.id} (${base.accountLogin}) recorded with ${repos.length} repositories`;
      }
      case 'deleted':
        await upsertInstallation(t, base);
        await removeInstallation(t, base.id);
        return `installation ${base.id} removed`;
      case 'suspend':
        await upsertInstallation(t, { ...base, suspended: true });
        return `installation ${base.id} suspended`;
      case 'unsuspend':
        await upsertInstallation(t, { ...base, suspended: false });
        return `installation ${base.id} unsuspended`;
      default:
        return `ignored: installation.${action}`;
    }
  });
}

export async function handleInstallationRepositories(ctx: WebhookContext, payload: EventPayload<'installation_repositories'>): Promise<Outcome> {
  const base = installationOf(payload.installation);
  return ctx.deps.store.db.transaction(async (t: Db) => {
    await upsertInstallation(t, base);
    const added = allowed(ctx, payload.repositories_added);
    await upsertRepositories(t, base.id, added);
    const n = await removeRepositories(t, base.id, payload.repositories_removed.map((r) => r.id!));
    return `installation ${base.id}: ${added.length} repositories added, ${n} removed`;
  });
}
