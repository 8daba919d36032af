/**
 * How fast the delivery spool's loader moves deliveries into the embedded store: 500-delivery
 * transactions (the loader's batch) of signed-push-sized payloads, each storing the deliveries and
 * enqueueing their jobs (writeBatch), on PGlite in a data folder on disk, opened as the CLI opens it.
 * This rate bounds sustained ingest: a longer burst waits in the spool.
 *
 *   node --import tsx bench/spool-load.bench.ts [--batches 20] [--rounds 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeBatch, type IncomingDelivery } from '../src/intake/delivery-writer.ts';
import { jobForDelivery } from '../src/intake/job-for-delivery.ts';
import { openStore } from '../src/store/open-store.ts';
import { push7kb } from './push-7kb.ts';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' } } });
const batches = Number(values.batches);
const dir = mkdtempSync(join(tmpdir(), 'slipway-spool-load-'));
const store = await openStore({ dataDir: join(dir, 'db') });
const payload = push7kb();
const payloadText = JSON.stringify(payload);
console.log(`# payload ${payloadText.length} bytes; ${batches} transactions of 500 deliveries per round`);
let n = 0;
const batch = (): IncomingDelivery[] =>
  Array.from({ length: 500 }, () => {
    const id = `load-${n++}`;
    return { deliveryId: id, event: 'push', action: null, installationId: 1, payloadText, job: jobForDelivery(id, 'push', payload).job };
  });
for (let round = 1; round <= Number(values.rounds); round++) {
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) {
    const records = batch();
    await store.db.transaction((tx) => writeBatch(tx, records));
  }
  const ms = performance.now() - t0;
  console.log(`round ${round}  ${Math.round((batches * 500 * 1000) / ms)} deliveries/s  (${(ms / batches).toFixed(0)} ms per 500)`);
}
await store.close();
rmSync(dir, { recursive: true, force: true });
