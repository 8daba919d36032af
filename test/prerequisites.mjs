// What the test suite needs beyond `npm ci`: Debian's `git` (test clones are served by
// `git http-backend`), `prometheus` (the Prometheus metric source is tested against a real
// server, with `promtool` to load its data) and `chromium` (the set-up page and the dashboard
// are tested in a real browser). `npm test` (test/run.mjs) and `.ci/run` check them
// first, before any test runs: as root, missing packages are installed with apt-get
// (non-interactive, quiet); otherwise one line names what to install, and the run stops (exit 1).
// SLIPWAY_TEST_NO_INSTALL=1 never installs, even as root (to see that line).
//
//   node test/prerequisites.mjs    check (and install as root), exit 0 when everything is there
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const needs = [
  { what: 'git', package: 'git', command: 'git' },
  { what: 'git http-backend', package: 'git', path: '/usr/lib/git-core/git-http-backend' },
  { what: 'prometheus', package: 'prometheus', command: 'prometheus' },
  { what: 'promtool', package: 'prometheus', command: 'promtool' },
  // The set-up page and the dashboard are tested in a real browser (playwright-core drives it).
  { what: 'chromium', package: 'chromium', path: '/usr/bin/chromium' },
];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command, env) {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && executable(join(dir, command)));
}

/** The needs that are not met here. */
export function missing(env = process.env) {
  return needs.filter((n) => (n.command ? !onPath(n.command, env) : !executable(n.path)));
}

function install(packages, env) {
  const run = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (run(['update', '-qq']).status !== 0) return false;
  if (run(['install', '-y', '-qq', '--no-install-recommends', ...packages]).status !== 0) return false;
  // The Debian package starts a system prometheus on :9090 where systemd runs; the tests start
  // their own on free ports, so that one is stopped.
  spawnSync('systemctl', ['stop', 'prometheus'], { stdio: 'ignore' });
  return true;
}

/** True when everything is there (installed now if need be); otherwise prints one line and returns false. */
export function ensurePrerequisites(env = process.env, log = (line) => console.error(line)) {
  let lacking = missing(env);
  if (lacking.length === 0) return true;
  const packages = [...new Set(lacking.map((n) => n.package))];
  const root = process.getuid?.() === 0;
  if (root && env.SLIPWAY_TEST_NO_INSTALL !== '1' && onPath('apt-get', env)) {
    log(`# installing ${packages.join(', ')} (apt-get) for the tests: ${lacking.map((n) => n.what).join(', ')} missing`);
    if (install(packages, env)) lacking = missing(env);
    if (lacking.length === 0) return true;
  }
  log(`npm test needs ${lacking.map((n) => n.what).join(', ')}: install them first with \`sudo apt-get install -y ${[...new Set(lacking.map((n) => n.package))].join(' ')}\` (Debian/Ubuntu), then run npm test again.`);
  return false;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(ensurePrerequisites() ? 0 : 1);
