/**
 * One small shell per runner that outlives this process by a moment: it is told the process group
 * of every Terraform command as it starts and ends, and when its stdin closes without being told
 * to stop — this process died (SIGKILL, OOM) — it interrupts the groups still running, waits the
 * grace period, and kills them. An orphaned `terraform apply` thus neither runs on unobserved nor
 * keeps the state lock. One shell for all commands, not one each: starting a shell per command
 * cost about 70 ms on a loaded 2-core machine, four times per deployment.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export type Watchdog = {
  watch: (pgid: number) => void;
  unwatch: (pgid: number) => void;
};

// dash has no arrays: the groups are a space-separated list, removed from with ${%%}/${#}.
const script = `groups=' '
while read -r op pgid; do
  case "$op" in
    add) groups="$groups$pgid " ;;
    del) before=\${groups%% $pgid *}; after=\${groups#* $pgid }; groups="$before $after" ;;
  esac
done
for g in $groups; do kill -s INT -- "-$g" 2>/dev/null; done
sleep "$1"
for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done`;

export function createWatchdog(graceMs: number): Watchdog {
  let shell: ChildProcess | undefined;
  const send = (line: string) => {
    if (!shell || shell.exitCode !== null || shell.signalCode !== null || !shell.stdin?.writable) {
      shell = spawn('/bin/sh', ['-c', script, 'slipway-watchdog', String(Math.max(1, Math.ceil(graceMs / 1000)))], {
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      shell.on('error', () => {}); // no /bin/sh: the in-process stop still works
      shell.stdin!.on('error', () => {});
      // Neither the shell nor its pipe keeps this process alive; the pipe closes when it exits.
      shell.unref();
      (shell.stdin as unknown as { unref?: () => void }).unref?.();
    }
    shell.stdin!.write(`${line}\n`);
  };
  return {
    watch: (pgid) => send(`add ${pgid}`),
    unwatch: (pgid) => send(`del ${pgid}`),
  };
}
