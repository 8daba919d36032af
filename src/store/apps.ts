import { and, eq } from 'drizzle-orm';
import type { Db } from './db.ts';
import { apps, type App } from './schema.ts';

/**
 * The app for a repository's paas.yaml, created on first sight. Read first: on every push after
 * the first the app exists, and that is one statement instead of an insert that does nothing and
 * a read.
 */
export async function getOrCreateApp(
  tx: Db,
  input: { repositoryId: number; name: string; configPath?: string },
): Promise<App> {
  const [known] = await tx
    .select()
    .from(apps)
    .where(and(eq(apps.repositoryId, input.repositoryId), eq(apps.name, input.name)));
  if (known) return known;
  const [created] = await tx
    .insert(apps)
    .values({ repositoryId: input.repositoryId, name: input.name, configPath: input.configPath ?? 'paas.yaml' })
    .onConflictDoNothing({ target: [apps.repositoryId, apps.name] })
    .returning();
  if (created) return created;
  // Created meanwhile by another job.
  const [existing] = await tx
    .select()
    .from(apps)
    .where(and(eq(apps.repositoryId, input.repositoryId), eq(apps.name, input.name)));
  return existing!;
}
