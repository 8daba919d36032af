/**
 * src/worker-entry.ts in real workerd (the `workerd` npm package, the runtime `wrangler dev`
 * runs), with wrangler.toml's compatibility date and flags: the entry bundled as wrangler would
 * (scripts/build-worker.mjs), Hyperdrive's binding standing in as `{ connectionString }` to a
 * local Postgres, secrets as text bindings, and outbound sockets allowed to the loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain ES module script without types
import { buildWorker } from '../../scripts/build-worker.mjs';

const root = new URL('../../', import.meta.url).pathname;
const workerdBin = join(root, 'node_modules/.bin/workerd');

export type Workerd = { url: string; stop: () => Promise<void>; log: () => string };

/** The compatibility date and flags wrangler.toml deploys with. */
export function wranglerCompatibility(): { date: string; flags: string[] } {
  const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1];
  if (!date || flags === undefined) throw new Error('wrangler.toml has no compatibility_date or compatibility_flags');
  return { date, flags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]!) };
}

const capnpText = (text: string) => JSON.stringify(text);

export async function startWorkerd(input: { databaseUrl: string; webhookSecret: string; apiToken?: string }): Promise<Workerd> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-workerd-'));
  await buildWorker(join(dir, 'worker.js'));
  const port = await freePort();
  const { date, flags } = wranglerCompatibility();
  const bindings = [
    `(name = "HYPERDRIVE", json = ${capnpText(JSON.stringify({ connectionString: input.databaseUrl }))})`,
    `(name = "WEBHOOK_SECRET", text = ${capnpText(input.webhookSecret)})`,
    ...(input.apiToken ? [`(name = "SLIPWAY_API_TOKEN", text = ${capnpText(input.apiToken)})`] : []),
  ];
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .slipway),
    # Hyperdrive's stand-in is a Postgres on this machine: let the worker's sockets reach the loopback.
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const slipway :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = ${capnpText(date)},
  compatibilityFlags = [${flags.map(capnpText).join(', ')}],
  bindings = [${bindings.join(', ')}],
  globalOutbound = "internet",
);
`,
  );
  const child: ChildProcess = spawn(workerdBin, ['serve', join(dir, 'config.capnp')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d) => void (log = (log + d).slice(-8000)));
  child.stderr?.on('data', (d) => void (log = (log + d).slice(-8000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`workerd did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop, log: () => log };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
