/**
 * `slipway serve` (and `npm start`): validated settings, the store opened (migrations applied),
 * the HTTP server (@hono/node-server) and, in the same process, the job worker. Roles split the
 * two across processes when the store is Postgres (`SLIPWAY_ROLE=web|worker`). SIGTERM/SIGINT
 * stop accepting connections, let running jobs finish (or release them), then close the store.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ServerType } from '@hono/node-server';
import type { BuildDepsOptions, Deps } from '../deps.ts';
import type { DeliverySpool } from '../intake/delivery-spool.ts';
import type { ReadSeries } from '../metrics/read-series.ts';
import type { WorkerOptions } from '../jobs/index.ts';
import type { StoredAppCredentials } from '../settings/app-credentials-file.ts';
import { loadServiceSettings, SettingsError } from '../settings/load-settings.ts';
import { githubWebUrl, type AppCredentials, type BaseSettings, type Settings } from '../settings/settings.ts';
import type { DeploymentActions } from '../dashboard/deployment-actions.ts';
import { createLogger } from '../ops/create-logger.ts';
import { createServiceMetrics, type ServiceMetrics } from '../ops/service-metrics.ts';
import type { PrestartedStoreThread, ThreadStore } from '../store/open-pglite-thread.ts';
import { openStore } from '../store/open-store.ts';
import { StoreError } from '../store/store-error.ts';
import { databaseDir } from '../store/store-options.ts';
import type { CliIo } from './io.ts';

export type Service = {
  url: string;
  port: number;
  /** The service's edges; reading it in set-up mode, before the App is registered, throws. */
  readonly deps: Deps;
  /** Set-up mode: the one-time link to the set-up page (the service has no App credentials yet). */
  setupUrl?: string;
  /** Resolves once the service runs with App credentials (at once, unless it started in set-up mode). */
  running: Promise<void>;
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
  /** `stop()` returns within this long, whatever is left undone (default 7.5 s: room for a loaded machine within 10 s). */
  stopWithinMs?: number;
};

/** Wait for `work`, at most `ms`. */
async function within(ms: number, work: Promise<unknown> | undefined): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * Start with App credentials (`Settings`), or without them (`BaseSettings`: set-up mode): then
 * the HTTP server answers the set-up page only, and once the App is registered there the same
 * server switches to the webhook service and the worker starts, without a restart.
 */
export async function startService(settings: Settings | BaseSettings, options: StartOptions = {}): Promise<Service> {
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
  // Figures read from the store are at most 5 s old at a scrape (service-metrics.ts).
  const metrics = createServiceMetrics({ db: store.db, storeFiguresMaxAgeMs: 5_000 });
  // The worker's modules (CDKTF synthesis, git, octokit) take a few seconds to load; the HTTP
  // server does not need them, so it listens first and the worker follows (start to ready ≤ 1 s).
  let server: ServerType | undefined;
  let spool: DeliverySpool | undefined;
  let readMetrics: (ReadSeries & { close: () => Promise<void> }) | undefined;
  let port = settings.port;
  // What the server answers with: the set-up page until the App is registered, then the service.
  let handler: ((request: Request, env?: unknown) => Response | Promise<Response>) | undefined;
  const controller = new AbortController();
  const workers: Promise<void>[] = [];
  let deps: Deps | undefined;
  // The dashboard's Apply and Rollback: only where this process has a Terraform runner.
  let actions: DeploymentActions | undefined;

  /** The service's HTTP app, for settings with App credentials (before listening, in running mode). */
  const serveApp = async (full: Settings) => {
    if (http) {
      const { createHttpApp, openDeliverySpool, createDeliveryWriter, loadInStoreThread, serviceReadiness, getConnInfo } = await http;
      // Embedded store: deliveries go through the write-ahead spool (fsync before 202, loaded into
      // the database in batches, in the store's thread). Postgres takes each group commit directly.
      if (store.kind === 'pglite') {
        const loadOffThread = 'runTask' in store ? loadInStoreThread(store as ThreadStore) : undefined;
        spool = await openDeliverySpool({ dir: join(full.dataDir, 'spool'), db: store.db, log, ...(loadOffThread ? { loadOffThread } : {}) });
      }
      const writer = spool ?? createDeliveryWriter(store.db, { concurrency: 4 });
      // The metrics API reads and checks request bodies in a thread of its own (see read-series-off-thread.ts).
      // (The thread starts on the first metrics request.)
      readMetrics = (await import('../metrics/read-series-off-thread.ts')).readSeriesOffThread();
      // And stores them in the store's thread when the store has one (see store-series-task.ts).
      const storeMetrics = 'runTask' in store ? (await import('../metrics/store-series-task.ts')).storeSeriesInStoreThread(store as ThreadStore) : undefined;
      const app = createHttpApp({
        db: store.db,
        // Ready when the store is, and the spool's loader keeps up (a stalled loader is a 503 with its reason).
        readiness: serviceReadiness(store.db, spool),
        webhookSecret: full.webhookSecret,
        ...(full.previousWebhookSecret ? { previousWebhookSecret: full.previousWebhookSecret } : {}),
        apiToken: full.apiToken,
        log,
        writer,
        readMetrics,
        ...(storeMetrics ? { storeMetrics } : {}),
        metrics,
        clientAddress: (c) => getConnInfo(c).remote.address,
        ...(settings.apiRateLimit ? { apiRateLimit: settings.apiRateLimit } : {}),
        ...(settings.metricsToken ? { metricsToken: settings.metricsToken } : {}),
      });
      const { dashboardRoutes } = await http;
      app.route(
        '/dashboard',
        dashboardRoutes({
          db: store.db,
          dataDir: full.dataDir,
          githubUrl: full.githubUrl ?? githubWebUrl(full.githubApiUrl),
          githubApiUrl: full.githubApiUrl,
          ...(full.oauth ? { oauth: full.oauth } : {}),
          ...(full.apiToken ? { apiToken: full.apiToken } : {}),
          ...(full.publicUrl ? { publicUrl: full.publicUrl } : {}),
          actions: () => actions,
          log,
        }),
      );
      handler = app.fetch;
    }
  };
  /** The runner and the job worker (after listening: their modules take seconds to load). */
  const startWorker = async (full: Settings) => {
    const [{ buildDeps }, { runWorker }, { webhookJobHandlers }, { verdictJobHandlers }, { startRunner }, { deployJobHandlers, deployJobGiveUp }, { tickJobHandlers, startTickSchedule }, { applyDeploymentHandler }, { applyJobKind }, { rollbackDeploymentHandler }, { rollbackJobKind }] = await Promise.all([
      import('../deps.ts'),
      import('../jobs/index.ts'),
      import('../reconcile/handle-webhook-job.ts'),
      import('../rollback/verdict-job-handlers.ts'),
      import('../runner/start-runner.ts'),
      import('../deploy/deploy-job-handlers.ts'),
      import('../reconcile/tick-job.ts'),
      import('../reconcile/apply-deployment.ts'),
      import('../api/apply-job.ts'),
      import('../reconcile/rollback-deployment.ts'),
      import('../api/rollback-job.ts'),
    ]);
    // The web role runs no jobs, so no Terraform either.
    const runner =
      full.role === 'web'
        ? undefined
        : await startRunner({ settings: full.runner, dataDir: full.dataDir, databaseUrl: full.databaseUrl, env: options.env ?? process.env, log, db: store.db });
    if (runner) runner.observePhase = metrics.runnerPhase;
    deps = buildDeps(full, store, { ...options, ...(runner ? { runner } : {}), onRateLimitRemaining: metrics.rateLimitRemaining });
    if (runner) actions = (await import('../dashboard/deployment-actions.ts')).deploymentActions({ db: store.db, runner, log });
    if (full.role !== 'web') {
      workers.push(
        runWorker({
          store,
          handlers: {
            ...webhookJobHandlers(deps),
            ...deployJobHandlers(deps),
            ...verdictJobHandlers(deps),
            ...tickJobHandlers(deps),
            [applyJobKind]: applyDeploymentHandler({ db: store.db, log, ...(deps.runner ? { runner: deps.runner } : {}) }),
            [rollbackJobKind]: rollbackDeploymentHandler({ db: store.db, log, ...(deps.runner ? { runner: deps.runner } : {}) }),
          },
          giveUp: deployJobGiveUp(deps),
          workerId: `slipway-${process.pid}-${randomUUID().slice(0, 8)}`,
          concurrency: full.workers,
          signal: controller.signal,
          log,
          metrics,
          ...options.worker,
        }),
      );
      // The periodic reconcile tick (docs/reconcile.md): one at a time across processes, as a job.
      startTickSchedule(deps, controller.signal);
    }
  };

  /** Listen on `listenPort` (0: any free port) and say where once listening. */
  const listen = (serve: typeof import('@hono/node-server').serve, fetch: (request: Request, env: unknown) => Response | Promise<Response>, listenPort: number) =>
    new Promise<void>((resolve, reject) => {
      server = serve({ fetch, port: listenPort, hostname: settings.host }, (info) => {
        port = info.port;
        options.onListening?.(urlOf(settings.host, port));
        resolve();
      });
      server.once('error', reject);
    });

  const closeAfterFailure = async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await spool?.close().catch(() => {});
    await store.close();
  };

  let setupUrl: string | undefined;
  let running: Promise<void>;
  let markRunning = () => {};
  if ('appId' in settings) {
    running = Promise.resolve();
  } else {
    running = new Promise<void>((resolve) => (markRunning = resolve));
    if (!http) throw new Error('set-up mode needs the HTTP server (SLIPWAY_ROLE=all or web)');
    const token = randomBytes(24).toString('base64url');
    const { setupApp } = await import('../setup/setup-app.ts');
    handler = setupApp({
      settings,
      token,
      log,
      readiness: () => Promise.resolve({ ready: true }),
      onConfigured: async (credentials) => {
        const full = { ...settings, ...credentialsSettings(credentials) };
        await serveApp(full);
        await startWorker(full);
        markRunning();
        log('slipway: set-up finished: running with the new GitHub App (no restart needed)');
      },
    }).fetch;
    setupUrl = `/setup?token=${token}`;
  }

  if (http) {
    try {
      if ('appId' in settings) await serveApp(settings);
      const { serve } = await http;
      await listen(serve, (request: Request, env: unknown) => handler!(request, env), settings.port);
    } catch (error) {
      await closeAfterFailure();
      throw error;
    }
  } else if (settings.workerPort !== undefined) {
    // A worker-role process: /healthz, /readyz and /metrics on a port of its own, for probes and
    // for scraping the job and runner figures only a worker has.
    try {
      const [{ serve }, { workerProbeApp }] = await Promise.all([import('@hono/node-server'), import('../http/worker-probe-app.ts')]);
      const app = workerProbeApp({ db: store.db, metrics, ...(settings.metricsToken ? { metricsToken: settings.metricsToken } : {}) });
      await listen(serve, app.fetch, settings.workerPort);
    } catch (error) {
      await closeAfterFailure();
      throw error;
    }
  }

  if ('appId' in settings) {
    try {
      await startWorker(settings);
    } catch (error) {
      await closeAfterFailure();
      throw error;
    }
  }

  // Shutting down takes at most `stopWithinMs` (a process manager's SIGKILL usually follows SIGTERM
  // after 10 s): each step gets what is left of it, and what the spool has not loaded stays there
  // for the next start; a job not finished is released by its lease.
  const stopWithinMs = options.stopWithinMs ?? 7_500;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const deadline = performance.now() + stopWithinMs;
      const left = (share = 1) => Math.max(0, (deadline - performance.now()) * share);
      await within(left(0.15), new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));
      (server as { closeAllConnections?: () => void } | undefined)?.closeAllConnections?.(); // requests still open after their share of the time
      await spool?.close({ timeoutMs: left(0.5) }); // what is acknowledged is in the database or still in the spool
      await within(left(0.2), readMetrics?.close());
      controller.abort(new Error('shutting down'));
      await within(left(0.6), Promise.allSettled(workers));
      await within(left(0.3), actions?.settle());
      await within(left(0.3), deps?.runner?.locks.close());
      deps?.close();
      await within(left(), store.close());
    })());
  const url = urlOf(settings.host, port);
  return {
    url,
    port,
    get deps(): Deps {
      if (!deps) throw new Error('the service is in set-up mode: no GitHub App yet');
      return deps;
    },
    ...(setupUrl ? { setupUrl: `${settings.publicUrl ?? url}${setupUrl}` } : {}),
    running,
    metrics,
    stop,
  };
}

/** The settings a registered App adds (the set-up page's answer from GitHub). */
function credentialsSettings(credentials: StoredAppCredentials): AppCredentials & Pick<Settings, 'githubUrl' | 'githubApiUrl'> {
  return {
    appId: credentials.appId,
    privateKey: credentials.privateKey,
    webhookSecret: credentials.webhookSecret,
    oauth: { clientId: credentials.clientId, clientSecret: credentials.clientSecret },
    githubUrl: credentials.githubUrl,
    githubApiUrl: credentials.githubApiUrl,
  };
}

async function loadHttpModules() {
  const [{ serve }, { getConnInfo }, { createHttpApp }, { openDeliverySpool }, { createDeliveryWriter }, { loadInStoreThread }, { serviceReadiness }, { dashboardRoutes }] = await Promise.all([
    import('@hono/node-server'),
    import('@hono/node-server/conninfo'),
    import('../http/app.ts'),
    import('../intake/delivery-spool.ts'),
    import('../intake/delivery-writer.ts'),
    import('../intake/spool-records.ts'),
    import('../http/service-readiness.ts'),
    import('../dashboard/dashboard-routes.ts'),
  ]);
  return { serve, getConnInfo, createHttpApp, openDeliverySpool, createDeliveryWriter, loadInStoreThread, serviceReadiness, dashboardRoutes };
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
    const { settings } = loadServiceSettings(io.env, io.cwd);
    const secretsOf = settings as Partial<Settings>;
    const log = createLogger({
      format: settings.logFormat ?? 'json',
      write: (line) => io.stderr(line),
      secrets: [secretsOf.webhookSecret, secretsOf.previousWebhookSecret, settings.apiToken, settings.metricsToken, secretsOf.privateKey, passwordOf(settings.databaseUrl)],
    });
    const where = `${settings.role}, ${settings.databaseUrl ? 'postgres' : `embedded store in ${settings.dataDir}`}`;
    service = await startService(settings, {
      ...(early.storeThread ? { storeThread: early.storeThread } : {}),
      env: io.env,
      log,
      onListening: (url) => log(`slipway: listening on ${url} (${where}), ready in ${Math.round(performance.now() - started)} ms (${Math.round(performance.now())} ms after process start)`),
    });
    if (service.setupUrl) {
      // The one-time link is the only way in: printed here, to whoever started the service.
      io.stderr(`slipway: no GitHub App configured yet: set-up mode. Open this one-time link in a browser to register the App:\n  ${service.setupUrl}\n`);
    } else {
      log(`slipway: worker running (${settings.role === 'web' ? 'none: web role' : `${settings.workers} slots`}) after ${Math.round(performance.now() - started)} ms`);
    }
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
  const stopStarted = performance.now();
  await service.stop();
  stopLog(`slipway: stopped in ${Math.round(performance.now() - stopStarted)} ms`);
  // Whatever a step that ran out of time still holds (the store's thread busy, a job's process) must
  // not keep the process: it leaves shortly after, unless the event loop empties first.
  setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
  return 0;
}
