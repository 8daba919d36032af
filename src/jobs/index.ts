/** The durable job queue: enqueue in the caller's transaction, claim, finish, and the worker loop. */
export { enqueue, enqueueMany, type EnqueueInput, type Enqueued } from './enqueue.ts';
export { claim, type ClaimOptions } from './claim.ts';
export { complete, extendLease, release, type JobLease } from './complete.ts';
export { fail, type FailResult } from './fail.ts';
export { backoffMs, type BackoffOptions } from './backoff.ts';
export { runWorker, type JobContext, type JobHandler, type WorkerOptions } from './run-worker.ts';
export { jobsChannel } from './channel.ts';
export type { Job, JobStatus } from '../store/schema.ts';
