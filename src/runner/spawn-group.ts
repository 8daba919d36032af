/**
 * Run one child process in a process group of its own, with a time limit, and leave nothing behind.
 *
 * - Stopping (cancel or time limit) interrupts the whole group with SIGINT, then SIGKILLs it after
 *   a grace period. SIGINT, not SIGTERM, first: Terraform stops gracefully on either, but its
 *   provider plugins (hashicorp/go-plugin) ignore only SIGINT, as a terminal's Ctrl-C sends to the
 *   group; a SIGTERM would kill them mid-request and lose what they were creating.
 * - When the child exits, whatever is left in its group (a provisioner's `sleep`) is SIGKILLed:
 *   Terraform's children outlive a kill of the parent alone.
 * - If this process dies (SIGKILL, OOM), the watchdog (process-watchdog.ts) does the same
 *   interrupt-then-kill for the groups it was told about.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { Watchdog } from './process-watchdog.ts';

export type GroupRunOptions = {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** After the interrupt, how long the group has before SIGKILL. */
  graceMs: number;
  signal?: AbortSignal;
  /** Whether an abort of `signal` stops the child (default: always). */
  stopOn?: (reason: unknown) => boolean;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Keep stdout whole instead of splitting it into lines (`show -json` prints one huge line). */
  captureStdout?: boolean;
  /** Called with the group id once the child runs (tests look for leftovers with it). */
  onStart?: (pgid: number) => void;
  /** Told about the group, to stop it should this process die. */
  watchdog?: Watchdog;
};

export type GroupRunResult = {
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  /** Set when the runner stopped it. */
  stopped?: 'timeout' | 'cancelled';
  /** With `captureStdout`. */
  stdout: string;
  pgid: number;
};

// Longer lines are cut: a line is held in memory until its end arrives.
const maxLine = 64 * 1024;

export function spawnGroup(command: string, args: readonly string[], options: GroupRunOptions): Promise<GroupRunResult> {
  return new Promise<GroupRunResult>((resolve, reject) => {
    let child: ChildProcess;
    try {
      // detached: the child calls setsid(), becoming the leader of a new group (pgid = its pid).
      child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      reject(error);
      return;
    }
    const chunks: string[] = [];
    let stopped: GroupRunResult['stopped'];
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const signalGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    };
    const stop = (why: 'timeout' | 'cancelled') => {
      if (stopped || settled) return;
      stopped = why;
      signalGroup('SIGINT');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), options.graceMs);
    };
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    const onAbort = () => {
      if (!options.stopOn || options.stopOn(options.signal!.reason)) stop('cancelled');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const lines = (stream: 'stdout' | 'stderr') => {
      const decoder = new StringDecoder('utf8');
      let partial = '';
      const emit = (text: string) => options.onLine?.(text.endsWith('\r') ? text.slice(0, -1) : text, stream);
      return {
        write(buffer: Buffer) {
          partial += decoder.write(buffer);
          let at: number;
          while ((at = partial.indexOf('\n')) >= 0) {
            emit(partial.slice(0, at));
            partial = partial.slice(at + 1);
          }
          while (partial.length > maxLine) {
            emit(partial.slice(0, maxLine));
            partial = partial.slice(maxLine);
          }
        },
        end() {
          partial += decoder.end();
          if (partial) emit(partial);
          partial = '';
        },
      };
    };
    if (options.captureStdout) child.stdout!.on('data', (b: Buffer) => chunks.push(b.toString('utf8')));
    else {
      const out = lines('stdout');
      child.stdout!.on('data', (b: Buffer) => out.write(b)).on('end', () => out.end());
    }
    const err = lines('stderr');
    child.stderr!.on('data', (b: Buffer) => err.write(b)).on('end', () => err.end());

    child.once('error', (error) => {
      // The binary could not be started (ENOENT, EACCES): nothing runs, nothing to clean up.
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    if (child.pid === undefined) return; // 'error' follows
    options.onStart?.(child.pid);
    options.watchdog?.watch(child.pid);

    child.once('exit', (exitCode, exitSignal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      // Whatever the child left in its group goes with it.
      signalGroup('SIGKILL');
      // Output still in the pipes is read to its end, unless something escaped the group and
      // holds them open: then give up on it after a moment.
      const finish = () => {
        if (settled) return;
        settled = true;
        // Resolve once the group is really empty: a SIGKILLed process takes a moment to go.
        void groupGone(child.pid!, 2_000).then(() => {
          options.watchdog?.unwatch(child.pid!);
          resolve({ exitCode, exitSignal, ...(stopped ? { stopped } : {}), stdout: chunks.join(''), pgid: child.pid! });
        });
      };
      const late = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, 2_000);
      child.once('close', () => {
        clearTimeout(late);
        finish();
      });
    });
  });
}

/** Resolves when no process of group `pgid` is left (or after `ms`, whatever remains). */
async function groupGone(pgid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return; // ESRCH: nobody left
    }
    if (Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
