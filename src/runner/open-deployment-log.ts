/**
 * A deployment's log as it is written: lines are redacted, gathered, and appended to the store
 * every `flushMs` (one insert per flush, not per line), so a reader sees the run progress. The log
 * is bounded: past `headBytes` only the last `tailBytes` are kept in memory and written at the end
 * after a line saying how much was left out (Terraform's errors come last).
 */
import type { Db } from '../store/db.ts';
import { appendDeploymentLog, type DeploymentLogChunk } from '../store/deployment-logs.ts';
import type { Redactor } from './redact.ts';

export type DeploymentLog = {
  line: (step: string, text: string) => void;
  /** Write what is pending now. */
  flush: () => Promise<void>;
  /** Flush, then write the kept tail; the log takes no more lines. */
  close: () => Promise<void>;
};

export type DeploymentLogOptions = {
  redactor: Redactor;
  /** Total bytes a deployment's log may take (default 1 MiB). */
  limitBytes?: number;
  flushMs?: number;
  /** Bytes already stored for this deployment (an earlier attempt's). */
  usedBytes?: number;
  /** Where a failed write is reported: the run goes on without its log rather than failing. */
  onError?: (error: unknown) => void;
};

export const defaultLogLimitBytes = 1024 * 1024;

export function openDeploymentLog(db: Db, deploymentId: number, options: DeploymentLogOptions): DeploymentLog {
  const limit = options.limitBytes ?? defaultLogLimitBytes;
  const tailBudget = Math.floor(limit / 4);
  const headBudget = limit - tailBudget;
  let used = options.usedBytes ?? 0;
  let pending: DeploymentLogChunk[] = [];
  const tail: Array<{ step: string; text: string; bytes: number }> = [];
  let tailBytes = 0;
  let omitted = 0;
  let closed = false;
  let writing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => void flush(), options.flushMs ?? 500);
  timer.unref();

  const append = (step: string, text: string) => {
    const last = pending.at(-1);
    if (last && last.step === step) last.text += `\n${text}`;
    else pending.push({ deploymentId, step, text });
  };

  function flush(): Promise<void> {
    const batch = pending;
    pending = [];
    if (batch.length > 0) {
      writing = writing.then(() => appendDeploymentLog(db, batch)).catch((error: unknown) => options.onError?.(error));
    }
    return writing;
  }

  return {
    line(step, raw) {
      if (closed) return;
      const text = options.redactor.redact(raw);
      const bytes = Buffer.byteLength(text) + 1;
      if (used + bytes <= headBudget && tail.length === 0) {
        used += bytes;
        append(step, text);
        return;
      }
      tail.push({ step, text, bytes });
      tailBytes += bytes;
      while (tailBytes > tailBudget && tail.length > 0) {
        const dropped = tail.shift()!;
        tailBytes -= dropped.bytes;
        omitted += dropped.bytes;
      }
    },
    flush,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      if (omitted > 0) append('runner', `[… ${omitted} bytes of output left out: the log keeps the first ${headBudget} and the last ${tailBudget} bytes …]`);
      for (const kept of tail) append(kept.step, kept.text);
      await flush();
    },
  };
}
