/**
 * The construct for each kind of service and resource. The app stack is handed these rather than
 * importing them, so a caller can load only the kinds an app uses: each kind pulls in its own
 * `@cdktf/provider-aws` resources, and loading all of them is a third of a cold `slipway synth`.
 * `allKinds` (stacks/all-kinds.ts) loads everything up front for synchronous callers;
 * `loadKinds` loads what a config needs.
 */
import type { PaasConfig } from '../src/config/schema.ts';
import type { Bucket } from './bucket.ts';
import type { CronJob } from './cron-job.ts';
import type { LambdaService } from './function.ts';
import type { Postgres } from './postgres.ts';
import type { Queue } from './queue.ts';
import type { Redis } from './redis.ts';
import type { StaticSite } from './static-site.ts';
import type { WebService } from './web-service.ts';
import type { WorkerService } from './worker-service.ts';

export type Kinds = {
  web: typeof WebService;
  worker: typeof WorkerService;
  cron: typeof CronJob;
  function: typeof LambdaService;
  static: typeof StaticSite;
  postgres: typeof Postgres;
  redis: typeof Redis;
  queue: typeof Queue;
  bucket: typeof Bucket;
};
export type Kind = keyof Kinds;

const loaders: { [K in Kind]: () => Promise<Kinds[K]> } = {
  web: async () => (await import('./web-service.ts')).WebService,
  worker: async () => (await import('./worker-service.ts')).WorkerService,
  cron: async () => (await import('./cron-job.ts')).CronJob,
  function: async () => (await import('./function.ts')).LambdaService,
  static: async () => (await import('./static-site.ts')).StaticSite,
  postgres: async () => (await import('./postgres.ts')).Postgres,
  redis: async () => (await import('./redis.ts')).Redis,
  queue: async () => (await import('./queue.ts')).Queue,
  bucket: async () => (await import('./bucket.ts')).Bucket,
};

/** The kinds a config uses, in every environment it may be resolved to. */
export function kindsUsedBy(config: Pick<PaasConfig, 'services' | 'resources'>): Kind[] {
  const used = new Set<Kind>();
  for (const service of Object.values(config.services)) used.add(service.type);
  for (const resource of Object.values(config.resources)) used.add(resource.type);
  return [...used].sort();
}

export async function loadKinds(kinds: Iterable<Kind>): Promise<Partial<Kinds>> {
  const loaded: Partial<Record<Kind, unknown>> = {};
  await Promise.all([...new Set(kinds)].map(async (kind) => void (loaded[kind] = await loaders[kind]())));
  return loaded as Partial<Kinds>;
}
