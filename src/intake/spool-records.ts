/**
 * The delivery spool's on-disk records and how a range of them is moved into the database. Kept
 * apart from the spool itself because the loading runs wherever the embedded database runs: in
 * `slipway serve` that is the store's own thread, as a store-thread task (`loadSpoolTask`: this
 * module's `runInStoreThread`), so a load never holds the thread that answers webhooks.
 */
import { open } from 'node:fs/promises';
import type { Db } from '../store/db.ts';
import type { ThreadStore } from '../store/open-pglite-thread.ts';
import { storeThreadTask } from '../store/store-thread-task.ts';
import { writeBatch, type IncomingDelivery } from './delivery-writer.ts';

/** uint32 length prefix per record. */
export const recordHeader = 4;

/**
 * A record is the delivery's small fields as JSON followed by the payload's raw text, so that the
 * 7 KB payload is copied as bytes instead of being escaped into (and parsed back out of) a JSON
 * string: `0x01, uint32 meta length, meta JSON, payload text`. A record whose body starts with `{`
 * is the older all-JSON form (segments a previous version left), still read.
 */
export function encodeRecord(d: IncomingDelivery): Buffer {
  if (d.payloadText === undefined) {
    const body = Buffer.from(JSON.stringify(d));
    const out = Buffer.allocUnsafe(recordHeader + body.length);
    out.writeUInt32LE(body.length, 0);
    body.copy(out, recordHeader);
    return out;
  }
  const { payloadText, payload: _payload, ...meta } = d;
  const metaText = JSON.stringify(meta);
  const metaBytes = Buffer.byteLength(metaText);
  const length = 1 + 4 + metaBytes + Buffer.byteLength(payloadText);
  const out = Buffer.allocUnsafe(recordHeader + length);
  out.writeUInt32LE(length, 0);
  out[recordHeader] = 1;
  out.writeUInt32LE(metaBytes, recordHeader + 1);
  out.write(metaText, recordHeader + 5, 'utf8');
  out.write(payloadText, recordHeader + 5 + metaBytes, 'utf8');
  return out;
}

function decodeRecord(body: Buffer): IncomingDelivery {
  if (body[0] !== 1) return JSON.parse(body.toString('utf8')) as IncomingDelivery;
  const metaBytes = body.readUInt32LE(1);
  const delivery = JSON.parse(body.toString('utf8', 5, 5 + metaBytes)) as IncomingDelivery;
  delivery.payloadText = body.toString('utf8', 5 + metaBytes);
  return delivery;
}

/** Complete records in `buf`; a torn record at the end (crash mid-append) is ignored. */
export function decodeRecords(buf: Buffer, max = Infinity): { records: IncomingDelivery[]; used: number } {
  const records: IncomingDelivery[] = [];
  let at = 0;
  while (records.length < max && at + recordHeader <= buf.length) {
    const len = buf.readUInt32LE(at);
    if (at + recordHeader + len > buf.length) break;
    records.push(decodeRecord(buf.subarray(at + recordHeader, at + recordHeader + len)));
    at += recordHeader + len;
  }
  return { records, used: at };
}

/** Records of one segment file from byte `offset` up to byte `end` (exclusive), at most `max` of them. */
export type SpoolRange = { path: string; offset: number; end: number; max: number };
export type LoadedRange = { loaded: number; used: number };
export type LoadRange = (range: SpoolRange) => Promise<LoadedRange>;

/** Loading a spool range in the embedded store's thread (scripts/build.mjs bundles this module as an entry). */
export const loadSpoolTask = storeThreadTask<SpoolRange, LoadedRange>('spool-records', import.meta.url);

/** A spool loader that loads in the store's thread (see SpoolOptions.loadOffThread). */
export function loadInStoreThread(store: Pick<ThreadStore, 'runTask'>): LoadRange {
  return (range) => store.runTask(loadSpoolTask, range);
}

export function runInStoreThread(db: Db, range: SpoolRange, log: (m: string) => void): Promise<LoadedRange> {
  return loadSpoolRange(db, range, log);
}

/** Read the range's records (about what `max` needs, at least one whole record) and load them. */
export async function loadSpoolRange(db: Db, range: SpoolRange, log: (m: string) => void = () => {}): Promise<LoadedRange> {
  const file = await open(range.path, 'r');
  try {
    const head = Buffer.allocUnsafe(recordHeader);
    await file.read(head, 0, recordHeader, range.offset);
    const want = Math.min(range.end - range.offset, Math.max(range.max * 16 * 1024, recordHeader + head.readUInt32LE(0)));
    const buf = Buffer.allocUnsafe(Math.max(0, want));
    const { bytesRead } = await file.read(buf, 0, buf.length, range.offset);
    const { records, used } = decodeRecords(buf.subarray(0, bytesRead), range.max);
    if (records.length > 0) await loadRecords(db, records, log);
    return { loaded: records.length, used };
  } finally {
    await file.close();
  }
}

/**
 * One transaction for the batch. If it fails, each record is tried alone, so that one delivery
 * the database refuses (e.g. a `\u0000` escape, which jsonb cannot hold) cannot block the
 * spool: it is stored without its payload, with an outcome saying why, and no job. A store that
 * is down fails every record: the batch is retried until it is back.
 */
export async function loadRecords(db: Db, records: IncomingDelivery[], log: (m: string) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.transaction((tx) => writeBatch(tx, records));
      return;
    } catch (error) {
      if (records.length > 1) {
        let failures = 0;
        for (const record of records) {
          try {
            await db.transaction((tx) => writeBatch(tx, [record]));
          } catch {
            failures += 1;
          }
        }
        if (failures === 0) return;
        if (failures < records.length) {
          for (const record of records) await loadRecords(db, [record], log);
          return;
        }
      } else if (attempt >= 3) {
        try {
          const { payload: _p, payloadText: _t, job: _j, ...rest } = records[0]!;
          await db.transaction((tx) =>
            writeBatch(tx, [{ ...rest, outcome: `ignored: the store refused the payload (${(error as Error).message.slice(0, 200)})` }]),
          );
          return;
        } catch {
          // the store itself is failing: keep retrying below
        }
      }
      log(`slipway: loading spooled deliveries into the store failed (${(error as Error).message}); retrying`);
      await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * attempt)));
    }
  }
}
