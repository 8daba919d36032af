import { createHash } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from './db.ts';
import { upsertInstallation } from './installations.ts';
import { upsertRepositories } from './repositories.ts';
import { repositories, type Repository } from './schema.ts';

/** The installation id under which checkouts deployed from the CLI are recorded (GitHub's start at 1). */
export const localInstallationId = 0;

/**
 * The repository a `slipway apply` from a checkout records its deployments under: the one the
 * service already knows by that full name (the CLI shares the service's database), else a local
 * one under installation 0, with a negative id no GitHub repository has, stable per name.
 */
export async function localRepository(tx: Db, fullName: string): Promise<Repository> {
  const [known] = await tx
    .select()
    .from(repositories)
    .where(and(eq(repositories.fullName, fullName), isNull(repositories.removedAt)))
    .orderBy(asc(repositories.id))
    .limit(1);
  if (known) return known;
  await upsertInstallation(tx, { id: localInstallationId, accountLogin: 'local', accountType: 'Local' });
  const id = -createHash('sha256').update(fullName).digest().readUIntBE(0, 6);
  const [row] = await upsertRepositories(tx, localInstallationId, [{ id, fullName }]);
  return row!;
}
