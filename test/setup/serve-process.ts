// `slipway serve` as a process (the real CLI), for the browser tests: started on a free loopback
// port with an empty data folder, its stderr kept for assertions (nothing secret may be in it).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../../bin/slipway.js', import.meta.url).pathname;

export type ServeProcess = { child: ChildProcess; url: Promise<string>; setupUrl: Promise<string>; stderr: () => string; dataDir: string; cwd: string; stop: () => Promise<number | null> };

export function startServeProcess(env: Record<string, string>): ServeProcess {
  const cwd = mkdtempSync(join(tmpdir(), 'slipway-browser-'));
  const dataDir = join(cwd, 'data');
  const child = spawn(process.execPath, [bin, 'serve'], {
    cwd,
    env: { PATH: process.env.PATH!, HOME: cwd, PORT: '0', HOST: '127.0.0.1', SLIPWAY_DATA_DIR: dataDir, SLIPWAY_WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(stderr);
        if (m) resolve(m[1]!);
      };
      child.stderr!.on('data', check);
      check();
      void exited.then((code) => reject(new Error(`slipway serve exited ${code}: ${stderr}`)));
    });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = waitFor(/listening on (http:\/\/\S+)/);
  const setupUrl = waitFor(/^\s+(http:\/\/\S+\/setup\?token=\S+)$/m);
  url.catch(() => {});
  setupUrl.catch(() => {});
  return {
    child,
    url,
    setupUrl,
    stderr: () => stderr,
    dataDir,
    cwd,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
