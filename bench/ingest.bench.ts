/**
 * Durable webhook ingest: signed 7 KB push deliveries over 20 connections (autocannon), Slipway
 * storing every delivery and its job in the embedded store on disk (PGlite), and Probot 14
 * (verifying the same signature, storing nothing) measured side by side in the same run. Each
 * server runs in its own child process; autocannon runs here.
 *
 *   node --import tsx bench/ingest.bench.ts [--seconds 10] [--rounds 3] [--database-url postgres://…] [--client autocannon|wrk]
 *
 * The load generator shares the machine with the server. autocannon (Node) needs about a core of
 * its own to drive 20 connections; `--client wrk` (C; Debian package `wrk`, `apt-get install wrk`)
 * drives the same load with a fraction of that, so on a small machine more of the CPU is left to
 * the server being measured (both servers get the same client). A Lua script gives every request
 * a unique X-GitHub-Delivery, so nothing is deduplicated away.
 *
 * With --database-url the service stores into that Postgres database instead (group commit, no
 * spool); the database should be empty (counts are of the whole tables).
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { push7kb } from './push-7kb.ts';
import { signWebhook } from '../test/harness/sign-webhook.ts';
import { npmStartEnv, npmStartNodeFlags } from './npm-start.ts';

const secret = 'bench-webhook-secret';
// Slipway's server runs with the V8 flags and MALLOC_ARENA_MAX `npm start` gives it (package.json); BENCH_SERVER_NODE_ARGS overrides the flags.
const npmStartFlags = npmStartNodeFlags.join(' ');
const role = process.argv[2];

async function runSlipwayServer(): Promise<void> {
  // The real service (`slipway serve` with SLIPWAY_ROLE=web: the HTTP side; the job worker would
  // call GitHub), on a new embedded data folder on disk.
  if (process.env.BENCH_PG_SHARED_BUFFERS) {
    // Experiment only: the embedded store's shared_buffers (Postgres' default, 128MB, is most of its idle RSS).
    const { PGlite } = await import('@electric-sql/pglite');
    (PGlite as unknown as { defaultStartParams: string[] }).defaultStartParams.push('-c', `shared_buffers=${process.env.BENCH_PG_SHARED_BUFFERS}`);
  }
  const { startService } = await import('../src/cli/serve.ts');
  const { defaultRunnerSettings } = await import('../src/settings/runner-settings.ts');
  const { generateKeyPairSync } = await import('node:crypto');
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const dataDir = process.env.BENCH_DATA_DIR!;
  const service = await startService(
    {
      appId: 1, privateKey, webhookSecret: secret, githubApiUrl: 'http://127.0.0.1:9', dataDir, port: 0, host: '127.0.0.1', role: 'web', workers: 1, runner: defaultRunnerSettings,
      ...(process.env.BENCH_DATABASE_URL ? { databaseUrl: process.env.BENCH_DATABASE_URL } : {}),
    },
    { log: () => {} },
  );
  process.send!({ port: service.port });
  process.on('message', async (message) => {
    if (message === 'cpu') return void process.send!({ cpu: cpuUsage() });
    const t0 = performance.now();
    const { sql } = await import('drizzle-orm');
    const db = service.deps.store.db;
    await service.stop().catch(() => {});
    void db;
    // Count what reached the database (the spool is drained into it on stop).
    const { openStore } = await import('../src/store/open-store.ts');
    const store = await openStore(process.env.BENCH_DATABASE_URL ? { databaseUrl: process.env.BENCH_DATABASE_URL } : { dataDir: `${dataDir}/db` });
    const result = (await store.db.execute(sql`select (select count(*)::int from webhook_deliveries) as n, (select count(*)::int from jobs) as j`)) as unknown as { rows: Array<{ n: number; j: number }> };
    await store.close();
    process.send!({ stored: result.rows[0]!.n, jobs: result.rows[0]!.j, drainMs: performance.now() - t0 }, () => process.exit(0));
  });
}

async function runProbotServer(): Promise<void> {
  const { createServer } = await import('node:http');
  const { createNodeMiddleware, createProbot } = await import('probot');
  const { generateKeyPairSync } = await import('node:crypto');
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const probot = createProbot({ overrides: { appId: 1, privateKey, secret, logLevel: 'fatal' } });
  const middleware = await createNodeMiddleware((app) => app.on('push', async () => {}), { probot, webhooksPath: '/webhooks/github' });
  const server = createServer((req, res) => {
    void middleware(req, res, () => {
      res.writeHead(404).end();
    });
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
  process.on('message', (message) => (message === 'cpu' ? process.send!({ cpu: cpuUsage() }) : process.send!({ stored: 0 }, () => process.exit(0))));
}

/**
 * The process's CPU time (all threads, user + system, µs) and its main thread's (Linux: from
 * /proc, in clock ticks of 10 ms; 0 elsewhere): the main thread is the one answering requests,
 * the rest is the spool's fdatasync in libuv's pool and the store thread's loading.
 */
type Cpu = { process: number; main: number };
function cpuUsage(): Cpu {
  const { user, system } = process.cpuUsage();
  let main = 0;
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    main = (Number(fields[11]) + Number(fields[12])) * 10_000; // utime + stime, ticks of 10 ms
  } catch {
    // not Linux
  }
  return { process: user + system, main };
}

type Result = { name: string; rps: number; p50: number; p99: number; cpuUsPerDelivery: number; mainCpuUsPerDelivery: number; errors: number; non2xx: number; stored?: number; jobs?: number; drainMs?: number; sent: number };

type Load = { rps: number; p50: number; p99: number; errors: number; non2xx: number; total: number };

async function autocannonLoad(url: string, body: string, headers: Record<string, string>, seconds: number): Promise<Load> {
  const r = await autocannon({ url, method: 'POST', body, headers: { ...headers, 'x-github-delivery': '[<id>]' }, connections: 20, duration: seconds, idReplacement: true });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, total: r.requests.total };
}

/** wrk, 2 threads, 20 connections; the Lua script numbers deliveries per thread and reports the counts. */
async function wrkLoad(url: string, body: string, headers: Record<string, string>, seconds: number): Promise<Load> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-wrk-'));
  const script = join(dir, 'ingest.lua');
  const lua = (v: string) => JSON.stringify(v); // JSON string escapes are valid Lua string escapes for this ASCII text
  writeFileSync(
    script,
    `wrk.method = "POST"
wrk.body = ${lua(body)}
${Object.entries(headers).map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`).join('\n')}
local threads = {}
local counter = 1
function setup(thread)
  thread:set("prefix", string.format("%d-%d", os.time(), counter))
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  n = 0
end
function request()
  n = n + 1
  wrk.headers["x-github-delivery"] = prefix .. "-" .. n
  return wrk.format()
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, latency:percentile(50), latency:percentile(99), 0))
end
`,
  );
  try {
    const out = await new Promise<string>((resolve, reject) =>
      execFile('wrk', ['-t2', '-c20', `-d${seconds}s`, '-s', script, url], (error, stdout, stderr) => (error ? reject(error) : stderr.trim() ? reject(new Error(`wrk: ${stderr}`)) : resolve(stdout))),
    );
    const m = /RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(out);
    if (!m) throw new Error(`wrk printed no result:\n${out}`);
    const [requests, durationUs, non2xx, errors, p50Us, p99Us] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    return { rps: requests / (durationUs / 1e6), p50: p50Us / 1000, p99: p99Us / 1000, errors, non2xx, total: requests };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(name: string, child: ChildProcess, seconds: number, body: string, client: 'autocannon' | 'wrk'): Promise<Result> {
  const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', resolve as (m: unknown) => void));
  const headers = {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-hub-signature-256': signWebhook(secret, body),
    'user-agent': 'GitHub-Hookshot/bench',
  };
  const url = `http://127.0.0.1:${port}/webhooks/github`;
  const load = client === 'wrk' ? wrkLoad : autocannonLoad;
  const warm = await load(url, body, headers, 2); // warm-up
  const cpu = () => new Promise<Cpu>((resolve) => {
    child.once('message', (m) => resolve((m as { cpu: Cpu }).cpu));
    child.send('cpu');
  });
  const cpuBefore = await cpu();
  const r = await load(url, body, headers, seconds);
  const cpuAfter = await cpu();
  child.send('stop');
  const { stored, jobs, drainMs } = await new Promise<{ stored: number; jobs?: number; drainMs?: number }>((resolve) => child.once('message', resolve as (m: unknown) => void));
  return {
    name,
    rps: r.rps,
    p50: r.p50,
    p99: r.p99,
    // The server process's CPU time (all its threads, user + system) per delivery answered in the
    // measured window: unlike the rate, it hardly depends on what else the machine is running.
    cpuUsPerDelivery: (cpuAfter.process - cpuBefore.process) / r.total,
    mainCpuUsPerDelivery: (cpuAfter.main - cpuBefore.main) / r.total,
    errors: r.errors,
    non2xx: r.non2xx,
    sent: r.total + warm.total,
    stored,
    jobs,
    drainMs,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' }, 'database-url': { type: 'string' }, client: { type: 'string', default: 'autocannon' } } });
  const client = values.client === 'wrk' ? 'wrk' : 'autocannon';
  const databaseUrl = values['database-url'];
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const body = JSON.stringify(push7kb());
  console.log(`# signed push delivery: ${Buffer.byteLength(body)} bytes; 20 connections (${client}); ${seconds} s per run, ${rounds} rounds (medians reported)`);
  const results: Record<string, Result[]> = { slipway: [], probot: [] };
  for (let round = 0; round < rounds; round++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'slipway-ingest-'));
    const slipway = fork(new URL(import.meta.url).pathname, ['slipway'], { execArgv: ['--import', 'tsx', ...(process.env.BENCH_SERVER_NODE_ARGS ?? npmStartFlags).split(' ').filter(Boolean)], env: { ...process.env, ...npmStartEnv, BENCH_DATA_DIR: dataDir, ...(databaseUrl ? { BENCH_DATABASE_URL: databaseUrl } : {}) } });
    results.slipway!.push(await measure(databaseUrl ? 'slipway (Postgres, durable)' : 'slipway (PGlite on disk, durable)', slipway, seconds, body, client));
    rmSync(dataDir, { recursive: true, force: true });
    const probot = fork(new URL(import.meta.url).pathname, ['probot'], { execArgv: ['--import', 'tsx'] });
    results.probot!.push(await measure('probot 14 (in memory, no storage)', probot, seconds, body, client));
    for (const r of [results.slipway!.at(-1)!, results.probot!.at(-1)!]) {
      console.log(
        `round ${round + 1}  ${r.name.padEnd(36)} ${r.rps.toFixed(0).padStart(6)} deliveries/s  p50 ${r.p50} ms  p99 ${r.p99} ms  CPU ${r.cpuUsPerDelivery.toFixed(0)} µs/delivery (main thread ${r.mainCpuUsPerDelivery.toFixed(0)})  errors ${r.errors}  non-2xx ${r.non2xx}${r.stored ? `  acknowledged ${r.sent} (with warm-up), in the database ${r.stored} deliveries + ${r.jobs} jobs, stopped (spool drained) in ${r.drainMs!.toFixed(0)} ms` : ''}`,
      );
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log('\n# medians');
  for (const [name, rs] of Object.entries(results)) {
    console.log(`${name.padEnd(8)} ${median(rs.map((r) => r.rps)).toFixed(0)} deliveries/s  p99 ${median(rs.map((r) => r.p99))} ms  CPU ${median(rs.map((r) => r.cpuUsPerDelivery)).toFixed(0)} µs/delivery (main thread ${median(rs.map((r) => r.mainCpuUsPerDelivery)).toFixed(0)})`);
  }
  const ratios = results.slipway!.map((r, i) => r.rps / results.probot![i]!.rps);
  console.log(`slipway/probot per round: ${ratios.map((x) => `${x.toFixed(2)}×`).join(' ')}  (median ${median(ratios).toFixed(2)}×)`);
}

if (role === 'slipway') await runSlipwayServer();
else if (role === 'probot') await runProbotServer();
else await main();
