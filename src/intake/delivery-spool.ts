/**
 * A write-ahead spool in front of the embedded store, for ingest at webhook rates. Each accepted
 * delivery is appended to a local log file and the file is `fdatasync`ed (one append and one sync
 * for all the requests that arrived meanwhile: group commit; the next group is appended while the
 * previous one syncs) BEFORE the 202, so an acknowledged delivery survives a crash. A loader
 * then moves spooled deliveries into the database in large batches — each batch storing the
 * deliveries and enqueueing their jobs in ONE transaction (writeBatch) — and deletes a log
 * segment once all of it is in the database. Segments left by a crash or a
 * shutdown are loaded first, by the same loader, while new deliveries are accepted; loading is
 * idempotent (delivery ids are primary keys, job idempotency keys are delivery ids), so a segment
 * loaded twice changes nothing.
 *
 * No delivery can stall the loader: a record the store refuses even without its payload, or one
 * that cannot be read, is set aside with its reason (`set-aside/`, spool-records.ts) and the loader
 * goes on. Only a store that does not answer stops it; then loads are retried with backoff and
 * `health()` says so (`/readyz` answers 503 with the reason). `close()` waits a bounded time and
 * leaves what is not loaded in the spool for the next start.
 *
 * Why: PGlite is one connection; a transaction per request (or per small group of requests) caps
 * durable ingest near 1,000 deliveries/s, while an append + fsync does not.
 *
 * Redeliveries: ids spooled or loaded recently (an in-memory window) are answered as duplicates
 * at once; an older redelivery is still never worked twice (the database skips the known id and
 * its job), it is only answered 202 instead of 200.
 */
import { closeSync, fdatasync, mkdirSync, openSync, readdirSync, readSync, statSync, unlinkSync, write, writev } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { Db } from '../store/db.ts';
import { causeMessage } from '../store/store-error.ts';
import type { DeliveryWriter, WriteResult } from './delivery-writer.ts';
import { encodeRecord, loadSpoolRange, recordHeader, setAside, type LoadRange } from './spool-records.ts';

export type SpoolOptions = {
  dir: string;
  db: Db;
  /**
   * Load a range of a segment into the database somewhere else than this thread (the embedded
   * store's own thread: `loadInStoreThread(store)`). Then the loader always loads full batches.
   * Default: `loadSpoolRange` on `db`, in this thread.
   */
  loadOffThread?: LoadRange;
  /** Deliveries per database transaction when loading (default 500). */
  loadBatch?: number;
  /** Start a new segment after this many bytes (default 64 MiB). */
  segmentBytes?: number;
  /** Refuse (503) while this many deliveries wait to be loaded (default 200,000). */
  maxBacklog?: number;
  /**
   * A load competes with the HTTP server for the CPU (and, in this thread, for the thread), so
   * during a burst (deliveries arriving less than `idleMs` apart) the loader waits for a pause of
   * `idleMs` in arrivals (default 20 ms; a lone delivery is loaded at once) — unless the oldest
   * spooled delivery has waited `maxDelayMs` (default 10 s), which bounds how late a job can start
   * during a sustained burst. In this thread it also loads small batches (16) while deliveries keep
   * arriving, so that a load never stalls requests for long.
   */
  idleMs?: number;
  maxDelayMs?: number;
  /** health() reports a load still running after this long (default 30 s). */
  stallMs?: number;
  log?: (message: string) => void;
};

export type SpoolHealth = { ok: true } | { ok: false; reason: string };

export type DeliverySpool = DeliveryWriter & {
  /** Deliveries spooled but not yet in the database. */
  backlog: () => number;
  /** Whether the loader keeps up: not when loads fail, one hangs, or the backlog is full (/readyz). */
  health: () => SpoolHealth;
  /**
   * Stop the loader after loading everything spooled, or after `timeoutMs` (default 5 s) with the
   * rest left in the spool for the next start; close the files.
   */
  close: (options?: { timeoutMs?: number }) => Promise<void>;
};

export class SpoolFullError extends Error {}

/**
 * `bytes`/`records`: what is durable and counted (the loader reads up to `bytes`). `fd`: open while
 * appends go to the segment or syncs of it are in flight; `commits`: its appends not yet settled.
 * `failed`: an append or sync of it failed; the appends after it in the file are refused too.
 */
type Segment = { seq: number; path: string; records: number; loaded: number; bytes: number; readOffset: number; sealed: boolean; fd: number; commits: number; failed: boolean };

const datasync = promisify(fdatasync);
const fresh: WriteResult = Object.freeze({ isNew: true });
const writeAsync = promisify(write);
const writevAsync = promisify(writev);

/**
 * Group commits with their fdatasync in flight at once. While one group's sync runs, the next
 * group is appended and its sync started, instead of waiting for the first to finish: a request
 * arriving during a sync then waits about one sync, not up to two (the sync is most of a
 * delivery's latency, and with a fixed number of connections latency is what bounds the rate).
 * More than 2 did not help on ext4 (its journal commits one at a time).
 */
const syncsInFlight = 2;

/** Append the buffers at the end of the file: one writev (no copy into one buffer), then whatever a short write left. */
async function appendAll(fd: number, bufs: Buffer[], total: number): Promise<void> {
  let at = (await writevAsync(fd, bufs)).bytesWritten;
  if (at === total) return;
  const rest = Buffer.concat(bufs).subarray(at);
  at = 0;
  while (at < rest.length) {
    const { bytesWritten } = await writeAsync(fd, rest, at, rest.length - at, null);
    at += bytesWritten;
  }
}

/**
 * A segment a previous run left: its complete records are counted by their length prefixes (to be
 * loaded like any other); bytes after the last complete record (a crash mid-append) are set aside.
 */
async function leftSegment(path: string, log: (m: string) => void): Promise<{ records: number; bytes: number }> {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(recordHeader);
  let at = 0;
  let records = 0;
  try {
    while (at + recordHeader <= size && readSync(fd, head, 0, recordHeader, at) === recordHeader) {
      const next = at + recordHeader + head.readUInt32LE(0);
      if (next > size) break;
      at = next;
      records += 1;
    }
    if (at < size) {
      const tail = Buffer.alloc(size - at);
      readSync(fd, tail, 0, tail.length, at);
      await setAside(path, tail, { reason: `an incomplete record at byte ${at} of ${size} (the process stopped while appending it)` }, log);
    }
  } finally {
    closeSync(fd);
  }
  return { records, bytes: at };
}

export async function openDeliverySpool(options: SpoolOptions): Promise<DeliverySpool> {
  const { dir, db } = options;
  const loadBatch = options.loadBatch ?? 500;
  const segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
  const maxBacklog = options.maxBacklog ?? 200_000;
  const log = options.log ?? (() => {});
  const idleMs = options.idleMs ?? 20;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const stallMs = options.stallMs ?? 30_000;
  mkdirSync(dir, { recursive: true });
  const offThread = options.loadOffThread !== undefined;
  const load: LoadRange = options.loadOffThread ?? ((range) => loadSpoolRange(db, range, log));
  const existing = readdirSync(dir).filter((n) => /^segment-\d+\.log$/.test(n)).sort();
  const segments: Segment[] = [];
  let backlog = 0;
  // Left by a crash or a shutdown: loaded first, by the loader, while new deliveries are accepted.
  for (const name of existing) {
    const path = join(dir, name);
    const { records, bytes } = await leftSegment(path, log);
    segments.push({ seq: Number(/\d+/.exec(name)![0]), path, records, loaded: 0, bytes, readOffset: 0, sealed: true, fd: -1, commits: 0, failed: false });
    backlog += records;
  }
  if (backlog > 0) log(`slipway: ${backlog} spooled deliveries left by the previous run are being loaded`);

  let nextSeq = Math.max(0, ...segments.map((s) => s.seq)) + 1;
  // The segment appends go to. A previous one is sealed (and its file closed) once its last commit settles.
  let current = newSegment();
  let appended = 0; // bytes appended to `current`, synced or not
  function newSegment(): Segment {
    const seq = nextSeq++;
    const path = join(dir, `segment-${String(seq).padStart(10, '0')}.log`);
    const segment: Segment = { seq, path, records: 0, loaded: 0, bytes: 0, readOffset: 0, sealed: false, fd: openSync(path, 'a'), commits: 0, failed: false };
    segments.push(segment);
    return segment;
  }
  /** Appends go to a new segment from now on; the old one is sealed when nothing of it is in flight. */
  function rollOver(): void {
    const old = current;
    current = newSegment();
    appended = 0;
    if (old.commits === 0) seal(old);
  }
  function seal(segment: Segment): void {
    try {
      if (segment.fd >= 0) closeSync(segment.fd);
    } catch (error) {
      // Its groups are synced (or refused) already; the commit chain must not break on a close.
      log(`slipway: closing spool segment ${segment.path} failed (${(error as Error).message})`);
    }
    segment.fd = -1;
    segment.sealed = true;
  }

  // Recently seen delivery ids: a bounded window (two generations) for instant duplicate answers.
  let seen = new Set<string>();
  let older = new Set<string>();
  const windowSize = 100_000;
  const remember = (id: string) => {
    seen.add(id);
    if (seen.size >= windowSize) {
      older = seen;
      seen = new Set();
    }
  };
  const known = (id: string) => seen.has(id) || older.has(id);

  // Group commit of appends: everything that arrived meanwhile is appended with one writev and
  // made durable with one fdatasync, and only then answered.
  type Waiting = { buf: Buffer; resolve: (r: WriteResult) => void; reject: (e: unknown) => void };
  let pending: Waiting[] = [];
  let appending = false; // one append at a time, so that groups are in the file in the order they are acknowledged
  let commits = 0; // groups appended whose sync has not settled
  let lastCommit: Promise<void> = Promise.resolve();
  let closed = false;
  let closing = false;
  let lastWriteAt = 0;
  // Arrival times of the two newest deliveries: a gap longer than idleMs means no burst is under way,
  // and a lone delivery is loaded at once instead of after an idle wait (its job starts ≈ 20–40 ms sooner).
  let lastArrivalAt = Number.NEGATIVE_INFINITY;
  let arrivalGap = Number.POSITIVE_INFINITY;
  let inflight = 0; // writes not yet answered
  // When each synced group of deliveries was acknowledged, oldest first: how long the oldest
  // unloaded one has waited.
  const acked: Array<{ count: number; at: number }> = [];
  // Segments left by the previous run count as acknowledged now (their jobs are already late).
  if (backlog > 0) acked.push({ count: backlog, at: performance.now() });
  const consumeAcked = (n: number) => {
    while (n > 0 && acked.length > 0) {
      const first = acked[0]!;
      const used = Math.min(n, first.count);
      first.count -= used;
      n -= used;
      if (first.count === 0) acked.shift();
    }
  };

  function flush(): void {
    if (appending || commits >= syncsInFlight || pending.length === 0) return;
    appending = true;
    commits += 1;
    const batch = pending;
    pending = [];
    const segment = current;
    segment.commits += 1;
    const bufs = batch.map((w) => w.buf);
    const total = bufs.reduce((n, b) => n + b.length, 0);
    const previous = lastCommit;
    // The append and fdatasync run on libuv's thread pool, so the event loop keeps parsing and
    // verifying requests meanwhile; those form the next group.
    lastCommit = (async () => {
      let failure: unknown;
      try {
        await appendAll(segment.fd, bufs, total);
      } catch (error) {
        failure = error;
      }
      appending = false;
      if (current === segment) {
        appended += total;
        // After a failed append (or sync) the file's tail is uncertain: later groups go to a new segment.
        if (failure !== undefined || appended >= segmentBytes) rollOver();
      }
      flush(); // the next group is appended while this one syncs
      if (failure === undefined) {
        try {
          await datasync(segment.fd);
        } catch (error) {
          failure = error;
          if (current === segment) rollOver();
        }
      }
      // Groups are counted and answered in the order they are in the file: the loader reads a
      // segment up to its counted bytes, so a group after one that failed is refused too.
      await previous;
      if (failure === undefined && segment.failed) failure = new Error('an earlier append to the delivery spool failed');
      if (failure === undefined) {
        segment.bytes += total;
        segment.records += batch.length;
        backlog += batch.length;
        acked.push({ count: batch.length, at: performance.now() });
      } else segment.failed = true;
      segment.commits -= 1;
      if (segment.commits === 0 && segment !== current) seal(segment);
      commits -= 1;
      inflight -= batch.length;
      lastWriteAt = performance.now();
      if (failure === undefined) {
        for (const w of batch) w.resolve(fresh);
        kickLoader();
      } else for (const w of batch) w.reject(failure);
      flush();
    })();
  }

  // The loader: spool → database, oldest segment first.
  let loading: Promise<void> | undefined;
  let failures = 0; // loads failed in a row
  let failingSince: number | undefined; // when the first of them failed
  let lastFailure = '';
  let loadStartedAt: number | undefined; // the load in flight, if any
  let gaveUp = false; // a load failed while closing, or closing timed out
  function kickLoader(): void {
    if (gaveUp) return;
    loading ??= loadAll().finally(() => {
      loading = undefined;
      if (!gaveUp && segments.some((s) => s.loaded < s.records)) kickLoader();
    });
  }
  async function loadAll(): Promise<void> {
    for (;;) {
      if (gaveUp) return;
      // Yield to a burst of arrivals, within the delay bound (close() loads at once). Off this thread
      // too: on a small machine a load competes for the cores that answer the burst.
      while (!closing && arrivalGap < idleMs && (inflight > 0 || performance.now() - lastWriteAt < idleMs) && acked.length > 0 && performance.now() - acked[0]!.at < maxDelayMs) {
        await new Promise((r) => setTimeout(r, idleMs));
      }
      const segment = segments.find((s) => s.loaded < s.records || (s.sealed && s.loaded === s.records));
      if (!segment) return;
      if (segment.sealed && segment.loaded === segment.records) {
        unlinkSync(segment.path);
        segments.splice(segments.indexOf(segment), 1);
        continue;
      }
      // Sharing this thread, small batches while deliveries arrived in the last 2 s: a 500-row load
      // holds the thread for ≈ 200 ms, which a burst resuming after a short pause would feel as its p99.
      const busy = !offThread && !closing && performance.now() - lastWriteAt < 2_000;
      const batch = busy ? Math.min(16, loadBatch) : loadBatch;
      let range;
      loadStartedAt = performance.now();
      try {
        range = await load({ path: segment.path, offset: segment.readOffset, end: segment.bytes, max: batch });
        failures = 0;
        failingSince = undefined;
      } catch (error) {
        // The store does not answer, its thread is gone, or the file could not be read: the
        // deliveries stay in the spool (acknowledged, durable) and the load is tried again, less
        // often the longer it fails; health() reports it. The reason is the driver's, never the
        // query's parameters (a delivery's payload).
        failures += 1;
        failingSince ??= performance.now();
        lastFailure = causeMessage(error).slice(0, 300);
        if (closing || gaveUp) {
          // Shutting down: what is left stays in the spool and is loaded at the next start.
          gaveUp = true;
          log(`slipway: loading spooled deliveries failed (${lastFailure}); ${backlog} left in the spool for the next start`);
          return;
        }
        log(`slipway: loading spooled deliveries failed (${lastFailure}); retrying`);
        await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** Math.min(failures, 6))));
        continue;
      } finally {
        loadStartedAt = undefined;
      }
      if (gaveUp) return; // closing timed out meanwhile: the segment stays, loaded again next start (idempotent)
      const { loaded, used } = range;
      if (used === 0 && segment.readOffset < segment.bytes) {
        // Nothing whole could be read where records were counted: keep the rest aside, go on.
        await setAsideRest(segment);
        continue;
      }
      segment.readOffset += used;
      segment.loaded += loaded;
      backlog -= loaded;
      consumeAcked(loaded);
    }
  }

  async function setAsideRest(segment: Segment): Promise<void> {
    const rest = Buffer.alloc(segment.bytes - segment.readOffset);
    const fd = openSync(segment.path, 'r');
    try {
      readSync(fd, rest, 0, rest.length, segment.readOffset);
    } finally {
      closeSync(fd);
    }
    await setAside(segment.path, rest, { reason: `unreadable from byte ${segment.readOffset} (${segment.records - segment.loaded} records counted)` }, log);
    backlog -= segment.records - segment.loaded;
    consumeAcked(segment.records - segment.loaded);
    segment.readOffset = segment.bytes;
    segment.loaded = segment.records;
  }

  if (backlog > 0) kickLoader();

  const spool: DeliverySpool = {
    write(delivery) {
      if (closed) return Promise.reject(new Error('the delivery spool is closed'));
      if (known(delivery.deliveryId)) return Promise.resolve({ isNew: false });
      if (backlog + pending.length >= maxBacklog) return Promise.reject(new SpoolFullError(`${backlog} deliveries wait to be stored`));
      let buf: Buffer;
      try {
        buf = encodeRecord(delivery);
      } catch (error) {
        return Promise.reject(error);
      }
      remember(delivery.deliveryId);
      lastWriteAt = performance.now();
      arrivalGap = lastWriteAt - lastArrivalAt;
      lastArrivalAt = lastWriteAt;
      inflight += 1;
      return new Promise<WriteResult>((resolve, reject) => {
        pending.push({ buf, resolve, reject });
        flush();
      });
    },
    async drain() {
      while (commits > 0 || pending.length > 0 || loading || (!gaveUp && segments.some((s) => s.loaded < s.records))) {
        await (loading ?? new Promise((r) => setTimeout(r, 2)));
      }
    },
    backlog: () => backlog,
    health() {
      const now = performance.now();
      if (failingSince !== undefined && failures >= 2) {
        return { ok: false, reason: `the delivery spool cannot be loaded into the store (failing for ${Math.round((now - failingSince) / 1000)} s, ${backlog} deliveries waiting): ${lastFailure}` };
      }
      if (loadStartedAt !== undefined && now - loadStartedAt > stallMs) {
        return { ok: false, reason: `a load of the delivery spool has not finished in ${Math.round((now - loadStartedAt) / 1000)} s (${backlog} deliveries waiting)` };
      }
      if (backlog >= maxBacklog) return { ok: false, reason: `the delivery spool is full (${backlog} deliveries wait to be loaded)` };
      return { ok: true };
    },
    async close(closeOptions = {}) {
      closing = true;
      const timeoutMs = closeOptions.timeoutMs ?? 5_000;
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        spool.drain().then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (!drained) {
        gaveUp = true;
        log(`slipway: the delivery spool was not loaded within ${Math.round(timeoutMs)} ms of shutting down; ${backlog} deliveries left in the spool for the next start`);
      }
      closed = true;
      for (const s of segments) if (s.fd >= 0 && s.commits === 0) seal(s);
      for (const s of segments) if (s.loaded === s.records && s.commits === 0) unlinkSync(s.path);
    },
  };
  return spool;
}
