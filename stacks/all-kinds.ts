/** Every kind's construct, loaded up front: for callers that synthesize synchronously. */
import { Bucket } from './bucket.ts';
import { CronJob } from './cron-job.ts';
import { LambdaService } from './function.ts';
import type { Kinds } from './kinds.ts';
import { Postgres } from './postgres.ts';
import { Queue } from './queue.ts';
import { Redis } from './redis.ts';
import { StaticSite } from './static-site.ts';
import { WebService } from './web-service.ts';
import { WorkerService } from './worker-service.ts';

export const allKinds: Kinds = {
  web: WebService,
  worker: WorkerService,
  cron: CronJob,
  function: LambdaService,
  static: StaticSite,
  postgres: Postgres,
  redis: Redis,
  queue: Queue,
  bucket: Bucket,
};
