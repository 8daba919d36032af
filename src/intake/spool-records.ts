/**
 * The delivery spool's on-disk records and how a range of them is moved into the database. Kept
 * apart from the spool itself because the loading runs wherever the embedded database runs: in
 * `slipway serve` that is the store's own thread, as a store-thread task (`loadSpoolTask`: this
 * module's `runInStoreThread`), so a load never holds the thread that answers webhooks.
 */
import { appendFile, mkdir, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { storeAnswers } from '../store/store-answers.ts';
import type { Db } from '../store/db.ts';
import type { ThreadStore } from '../store/open-pglite-thread.ts';
import { causeMessage } from '../store/store-error.ts';
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
  const { payloadText, payload: _payload, payloadBytes, ...meta } = d;
  const metaText = JSON.stringify(meta);
  const metaBytes = Buffer.byteLength(metaText);
  const payloadLength = payloadBytes ? payloadBytes.byteLength : Buffer.byteLength(payloadText);
  const length = 1 + 4 + metaBytes + payloadLength;
  const out = Buffer.allocUnsafe(recordHeader + length);
  out.writeUInt32LE(length, 0);
  out[recordHeader] = 1;
  out.writeUInt32LE(metaBytes, recordHeader + 1);
  out.write(metaText, recordHeader + 5, 'utf8');
  if (payloadBytes) out.set(payloadBytes, recordHeader + 5 + metaBytes);
  else out.write(payloadText, recordHeader + 5 + metaBytes, 'utf8');
  return out;
}

export function decodeRecord(body: Buffer): IncomingDelivery {
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
/** `setAside`: records the store could not take at all, kept in `set-aside/` beside the segment. */
export type LoadedRange = { loaded: number; used: number; setAside?: number };
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

/** The folder beside a spool's segments where records that cannot be loaded are kept, with their reasons. */
export function setAsideDir(segmentPath: string): string {
  return join(dirname(segmentPath), 'set-aside');
}

/**
 * Keep `bytes` (whole records, or an unreadable tail) in `set-aside/deliveries.log` and say why in
 * `set-aside/reasons.log` (one JSON line each). Never loaded again by the spool; an operator can
 * read them. The log names the delivery id, never its payload.
 */
export async function setAside(segmentPath: string, bytes: Buffer, why: { deliveryId?: string; event?: string; reason: string }, log: (m: string) => void): Promise<void> {
  const dir = setAsideDir(segmentPath);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await appendFile(join(dir, 'deliveries.log'), bytes, { mode: 0o600 });
  await appendFile(join(dir, 'reasons.log'), `${JSON.stringify({ at: new Date().toISOString(), segment: basename(segmentPath), ...why })}\n`, { mode: 0o600 });
  log(`slipway: ${why.deliveryId ? `delivery ${why.deliveryId} (${why.event ?? '?'})` : `${bytes.length} unreadable bytes of ${basename(segmentPath)}`} set aside in ${dir}: ${why.reason}`);
}

/** Read the range's records (about what `max` needs, at least one whole record) and load them. */
export async function loadSpoolRange(db: Db, range: SpoolRange, log: (m: string) => void = () => {}): Promise<LoadedRange> {
  const file = await open(range.path, 'r');
  let buf: Buffer;
  try {
    const head = Buffer.allocUnsafe(recordHeader);
    await file.read(head, 0, recordHeader, range.offset);
    const want = Math.min(range.end - range.offset, Math.max(range.max * 16 * 1024, recordHeader + head.readUInt32LE(0)));
    buf = Buffer.allocUnsafe(Math.max(0, want));
    const { bytesRead } = await file.read(buf, 0, buf.length, range.offset);
    buf = buf.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
  // Records are split by their length prefixes first; one whose body cannot be decoded is set aside.
  const records: Array<{ delivery: IncomingDelivery; bytes: Buffer }> = [];
  let used = 0;
  let unreadable = 0;
  while (records.length < range.max && used + recordHeader <= buf.length) {
    const len = buf.readUInt32LE(used);
    if (used + recordHeader + len > buf.length) break;
    const bytes = buf.subarray(used, used + recordHeader + len);
    used += recordHeader + len;
    try {
      records.push({ delivery: decodeRecord(bytes.subarray(recordHeader)), bytes });
    } catch (error) {
      await setAside(range.path, bytes, { reason: `the record cannot be read (${(error as Error).message.slice(0, 200)})` }, log);
      unreadable += 1;
    }
  }
  let refused: Refused[] = [];
  if (records.length > 0) {
    refused = await loadRecords(db, records.map((r) => r.delivery), log);
    for (const { index, reason } of refused) {
      const { delivery, bytes } = records[index]!;
      await setAside(range.path, bytes, { deliveryId: delivery.deliveryId, event: delivery.event, reason }, log);
    }
  }
  // `loaded`: records taken off the spool's backlog, whether stored or set aside.
  const setAsideCount = unreadable + refused.length;
  return { loaded: records.length + unreadable, used, ...(setAsideCount > 0 ? { setAside: setAsideCount } : {}) };
}

/** The store itself failed (a round trip failed too): nothing can be loaded; the spool retries later. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/** A record of the batch (by index) the store refused even without its payload, and why. */
export type Refused = { index: number; reason: string };

/**
 * One transaction for the batch. If it fails, each record is tried alone, so that one delivery
 * the database refuses cannot block the spool: it is stored without its payload, with an outcome
 * saying why, and no job (e.g. a `\u0000` escape, which jsonb cannot hold); if even that fails while
 * the store answers a round trip, it is returned as refused (the caller sets it aside). A store
 * that does not answer is a StoreUnavailableError: nothing is retried here (the spool's loader
 * retries, can stop, and reports it on /readyz). Messages carry the driver's reason, never the
 * query's parameters (a delivery's whole payload).
 */
export async function loadRecords(db: Db, records: IncomingDelivery[], log: (m: string) => void): Promise<Refused[]> {
  try {
    await db.transaction((tx) => writeBatch(tx, records));
    return [];
  } catch (error) {
    if (records.length === 1) return loadAlone(db, records[0]!, 0, error, log);
  }
  const refused: Refused[] = [];
  for (const [index, record] of records.entries()) {
    try {
      await db.transaction((tx) => writeBatch(tx, [record]));
    } catch (error) {
      refused.push(...(await loadAlone(db, record, index, error, log)));
    }
  }
  return refused;
}

async function loadAlone(db: Db, record: IncomingDelivery, index: number, error: unknown, log: (m: string) => void): Promise<Refused[]> {
  const reason = causeMessage(error).slice(0, 300);
  try {
    const { payload: _p, payloadText: _t, job: _j, ...rest } = record;
    await db.transaction((tx) => writeBatch(tx, [{ ...rest, outcome: `ignored: the store refused the payload (${reason})` }]));
    log(`slipway: delivery ${record.deliveryId} (${record.event}) stored without its payload: the store refused it (${reason})`);
    return [];
  } catch (stripped) {
    if (!(await storeAnswers(db))) throw new StoreUnavailableError(`the store does not answer (${causeMessage(stripped).slice(0, 300)})`, { cause: stripped });
    return [{ index, reason: `the store refused the delivery, even without its payload (${causeMessage(stripped).slice(0, 300)})` }];
  }
}
