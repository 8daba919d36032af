import { and, eq } from 'drizzle-orm';
import type { Db } from './db.ts';
import { environments, type Environment } from './schema.ts';

export type EnvironmentKind = Environment['kind'];

/** An app's environment by name (`production`, `staging`, `pr-42`…), created on first sight. */
export async function getOrCreateEnvironment(
  tx: Db,
  input: { appId: number; name: string; kind?: EnvironmentKind; pullRequest?: number | null },
): Promise<Environment> {
  const kind = input.kind ?? (input.name === 'production' ? 'production' : input.name === 'staging' ? 'staging' : 'other');
  // Read first: it exists on every push after the first (one statement instead of two).
  const [known] = await tx
    .select()
    .from(environments)
    .where(and(eq(environments.appId, input.appId), eq(environments.name, input.name)));
  if (known) return known;
  const [created] = await tx
    .insert(environments)
    .values({ appId: input.appId, name: input.name, kind, pullRequest: input.pullRequest ?? null })
    .onConflictDoNothing({ target: [environments.appId, environments.name] })
    .returning();
  if (created) return created;
  // Created meanwhile by another job.
  const [existing] = await tx
    .select()
    .from(environments)
    .where(and(eq(environments.appId, input.appId), eq(environments.name, input.name)));
  return existing!;
}

/** A preview environment taken down (its row stays: its deployments and their logs are history). */
export async function setEnvironmentRemoved(tx: Db, environmentId: number, at: Date | null): Promise<void> {
  await tx.update(environments).set({ removedAt: at }).where(eq(environments.id, environmentId));
}
