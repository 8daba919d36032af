/**
 * `slipway serve` (and `npm start`): validated settings, the store opened (migrations applied),
 * the HTTP server (@hono/node-server) and, in the same process, the job worker. Roles split the
 * two across processes when the store is Postgres (`SLIPWAY_ROLE=web|worker`). SIGTERM/SIGINT
 * stop accepting connections, let running jobs finish (or release them), then close the store.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ServerType } from '@hono/node-server';
import type { BuildDepsOptions, Deps } from '../deps.ts';
import type { DeliverySpool } from '../intake/delivery-spool.ts';
import type { ReadSeries } from '../metrics/read-series.ts';
import type { WorkerOptions } from '../jobs/index.ts';
import { createLogger } from '../ops/create-logger.ts';
import { createServiceMetrics, type ServiceMetrics } from '../ops/service-metrics.ts';
import { loadSettings, SettingsError } from '../settings/load-settings.ts';
import type { Settings } from '../settings/settings.ts';
import type { PrestartedStoreThread, ThreadStore } from '../store/open-pglite-thread.ts';
import { openStore } from '../store/open-store.ts';
import { StoreError } from '../store/store-error.ts';
import { databaseDir } from '../store/store-options.ts';
import type { CliIo } from './io.ts';

export type Service = {
  url: string;
  port: number;
  deps: Deps;
  metrics: ServiceMetrics;
  /** Stop accepting, finish or release running jobs, close the store. */
  stop: () => Promise<void>;
};

/** What `slipway` started before loading this command: the embedded store's thread (see main.ts). */
export type EarlyStart = { storeThread?: PrestartedStoreThread };

export type StartOptions = BuildDepsOptions & {
  /** A store thread started before the settings were read; used in embedded mode. */
  storeThread?: PrestartedStoreThread;
  /** Called as soon as the HTTP server accepts connections (before the worker's modules load). */
  onListening?: (url: string) => void;
  worker?: Partial<Pick<WorkerOptions, 'pollMs' | 'leaseMs' | 'retryBackoff' | 'shutdownGraceMs'>>;
  /** The environment Terraform processes start from (default: this process's). */
  env?: Record<string, string | undefined>;
};

export async function startService(settings: Settings, options: StartOptions = {}): Promise<Service> {
  const log = options.log ?? ((message: string) => console.error(message));
  // Embedded: PGlite in a thread of its own, so that the database's work (above all loading the
  // delivery spool) never holds the thread that answers webhooks. The store is asked for first,
  // and the HTTP server's modules load while it starts.
  const opening = openStore({
    ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : { dataDir: databaseDir(settings.dataDir), thread: options.storeThread ?? true }),
    log,
  });
  const http = settings.role === 'worker' ? undefined : loadHttpModules();
  http?.catch(() => {}); // awaited below; not an unhandled rejection if the store fails first
  const store = await opening;
  const metrics = createServiceMetrics({ db: store.db });
  // The worker's modules (CDKTF synthesis, git, octokit) take a few seconds to load; the HTTP
  // server does not need them, so it listens first and the worker follows (start to ready ≤ 1 s).
  let server: ServerType | undefined;
  let spool: DeliverySpool | undefined;
  let readMetrics: (ReadSeries & { close: () => Promise<void> }) | undefined;
  let port = settings.port;
  if (http) {
    try {
      const { serve, getConnInfo, createHttpApp, openDeliverySpool, createDeliveryWriter, loadInStoreThread } = await http;
      // Embedded store: deliveries go through the write-ahead spool (fsync before 202, loaded into
      // the database in batches, in the store's thread). Postgres takes each group commit directly.
      if (store.kind === 'pglite') {
        const loadOffThread = 'runTask' in store ? loadInStoreThread(store as ThreadStore) : undefined;
        spool = await openDeliverySpool({ dir: join(settings.dataDir, 'spool'), db: store.db, log, ...(loadOffThread ? { loadOffThread } : {}) });
      }
      const writer = spool ?? createDeliveryWriter(store.db, { concurrency: 4 });
      // The metrics API reads and checks request bodies in a thread of its own (see read-series-off-thread.ts).
      // (The thread starts on the first metrics request.)
      readMetrics = (await import('../metrics/read-series-off-thread.ts')).readSeriesOffThread();
      const app = createHttpApp({
        db: store.db,
        webhookSecret: settings.webhookSecret,
        ...(settings.previousWebhookSecret ? { previousWebhookSecret: settings.previousWebhookSecret } : {}),
        apiToken: settings.apiToken,
        log,
        writer,
        readMetrics,
        metrics,
        clientAddress: (c) => getConnInfo(c).remote.address,
        ...(settings.apiRateLimit ? { apiRateLimit: settings.apiRateLimit } : {}),
        ...(settings.metricsToken ? { metricsToken: settings.metricsToken } : {}),
      });
      await new Promise<void>((resolve, reject) => {
        server = serve({ fetch: app.fetch, port: settings.port, hostname: settings.host }, (info) => {
          port = info.port;
          options.onListening?.(urlOf(settings.host, port));
          resolve();
        });
        server.once('error', reject);
      });
    } catch (error) {
      await spool?.close().catch(() => {});
      await store.close();
      throw error;
    }
  }

  const controller = new AbortController();
  const workers: Promise<void>[] = [];
  let deps: Deps;
  try {
    const [{ buildDeps }, { runWorker }, { webhookJobHandlers }, { startRunner }, { applyDeploymentHandler }, { applyJobKind }] = await Promise.all([
      import('../deps.ts'),
      import('../jobs/index.ts'),
      import('../reconcile/handle-webhook-job.ts'),
      import('../runner/start-runner.ts'),
      import('../reconcile/apply-deployment.ts'),
      import('../api/apply-job.ts'),
    ]);
    // The web role runs no jobs, so no Terraform either.
    const runner =
      settings.role === 'web'
        ? undefined
        : await startRunner({ settings: settings.runner, dataDir: settings.dataDir, databaseUrl: settings.databaseUrl, env: options.env ?? process.env, log, db: store.db });
    if (runner) runner.observePhase = metrics.runnerPhase;
    deps = buildDeps(settings, store, { ...options, ...(runner ? { runner } : {}), onRateLimitRemaining: metrics.rateLimitRemaining });
    if (settings.role !== 'web') {
      workers.push(
        runWorker({
          store,
          handlers: { ...webhookJobHandlers(deps), [applyJobKind]: applyDeploymentHandler({ db: store.db, log, ...(deps.runner ? { runner: deps.runner } : {}) }) },
          workerId: `slipway-${process.pid}-${randomUUID().slice(0, 8)}`,
          concurrency: settings.workers,
          signal: controller.signal,
          log,
          metrics,
          ...options.worker,
        }),
      );
    }
  } catch (error) {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await spool?.close().catch(() => {});
    await store.close();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await spool?.close(); // everything acknowledged is in the database before the store closes
      await readMetrics?.close();
      controller.abort(new Error('shutting down'));
      await Promise.allSettled(workers);
      await deps.runner?.locks.close();
      deps.close();
      await store.close();
    })());
  return { url: urlOf(settings.host, port), port, deps, metrics, stop };
}

async function loadHttpModules() {
  const [{ serve }, { getConnInfo }, { createHttpApp }, { openDeliverySpool }, { createDeliveryWriter }, { loadInStoreThread }] = await Promise.all([
    import('@hono/node-server'),
    import('@hono/node-server/conninfo'),
    import('../http/app.ts'),
    import('../intake/delivery-spool.ts'),
    import('../intake/delivery-writer.ts'),
    import('../intake/spool-records.ts'),
  ]);
  return { serve, getConnInfo, createHttpApp, openDeliverySpool, createDeliveryWriter, loadInStoreThread };
}

/** The password in a database URL: a secret the log must never print. */
function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

function urlOf(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export async function run(args: string[], io: CliIo, early: EarlyStart = {}): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout('Usage: slipway serve\n\nConfigured by environment variables (and .env): see docs/github-app.md.\n');
    return 0;
  }
  if (args.length > 0) {
    io.stderr(`slipway serve: unexpected argument "${args[0]}" (configuration comes from environment variables)\n`);
    return 2;
  }
  const started = performance.now();
  // Handlers first: a SIGTERM that arrives while the service is still starting shuts it down cleanly.
  const signalled = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  let service: Service;
  let stopLog = (message: string) => io.stderr(`${message}\n`);
  try {
    const settings = loadSettings(io.env, io.cwd);
    const log = createLogger({
      format: settings.logFormat ?? 'json',
      write: (line) => io.stderr(line),
      secrets: [settings.webhookSecret, settings.previousWebhookSecret, settings.apiToken, settings.metricsToken, settings.privateKey, passwordOf(settings.databaseUrl)],
    });
    const where = `${settings.role}, ${settings.databaseUrl ? 'postgres' : `embedded store in ${settings.dataDir}`}`;
    service = await startService(settings, {
      ...(early.storeThread ? { storeThread: early.storeThread } : {}),
      env: io.env,
      log,
      onListening: (url) => log(`slipway: listening on ${url} (${where}), ready in ${Math.round(performance.now() - started)} ms (${Math.round(performance.now())} ms after process start)`),
    });
    log(`slipway: worker running (${settings.role === 'web' ? 'none: web role' : `${settings.workers} slots`}) after ${Math.round(performance.now() - started)} ms`);
    stopLog = log;
  } catch (error) {
    const [{ PolicyLoadError }, { RunnerError }] = await Promise.all([import('../policy/index.ts'), import('../runner/runner-error.ts')]);
    if (error instanceof SettingsError || error instanceof StoreError || error instanceof PolicyLoadError || error instanceof RunnerError) {
      io.stderr(`slipway serve: ${error.message}\n`);
      return 1;
    }
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      io.stderr(`slipway serve: cannot listen: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await early.storeThread?.discard(); // started by main(), not taken: refused settings, or Postgres
  }
  stopLog(`slipway: ${await signalled}, shutting down`);
  await service.stop();
  return 0;
}
