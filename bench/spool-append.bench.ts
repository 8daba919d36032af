/**
 * How fast the delivery spool acknowledges: 20 writers (the ingest bench's 20 connections), each
 * handing a 7 KB push delivery to the spool and waiting for its acknowledgement (append +
 * fdatasync, group commit) before the next, on a spool folder on disk. The loader is held back (a
 * burst), so this measures the append path alone: what the webhook door waits for before its 202.
 * Little CPU is involved, so on a loaded machine this shows a change to the commit path more
 * clearly than the HTTP bench; the disk is shared with whatever else runs, so compare paired runs.
 *
 *   node --import tsx bench/spool-append.bench.ts [--seconds 3] [--rounds 3] [--writers 20] [--src ../src]
 *
 * `--src`: the source tree whose spool is measured (another checkout's `src`, for paired runs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { jobForDelivery } from '../src/intake/job-for-delivery.ts';
import { openStore } from '../src/store/open-store.ts';
import { push7kb } from './push-7kb.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, rounds: { type: 'string', default: '3' }, writers: { type: 'string', default: '20' }, src: { type: 'string' } } });
const src = values.src ? pathToFileURL(resolve(values.src)).href : new URL('../src', import.meta.url).href;
const { openDeliverySpool } = (await import(`${src}/intake/delivery-spool.ts`)) as typeof import('../src/intake/delivery-spool.ts');
const seconds = Number(values.seconds);
const writers = Number(values.writers);
const payload = push7kb();
const payloadText = JSON.stringify(payload);
const payloadBytes = Buffer.from(payloadText);
const store = await openStore({ dataDir: 'memory://' });
console.log(`# ${src}: ${writers} writers, ${payloadBytes.length}-byte payloads, ${seconds} s per round`);
let n = 0;
for (let round = 1; round <= Number(values.rounds); round++) {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-spool-append-'));
  const spool = await openDeliverySpool({ dir, db: store.db, idleMs: 60_000, maxDelayMs: 60_000 });
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (performance.now() < end) {
        const id = `append-${n++}`;
        const t0 = performance.now();
        await spool.write({ deliveryId: id, event: 'push', action: null, installationId: 1, payloadText, payloadBytes, job: jobForDelivery(id, 'push', payload).job });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!.toFixed(2);
  console.log(`round ${round}  ${Math.round(latencies.length / seconds)} deliveries/s acknowledged  p50 ${at(0.5)} ms  p99 ${at(0.99)} ms`);
  await spool.close({ timeoutMs: 0 });
  rmSync(dir, { recursive: true, force: true });
}
await store.close();
