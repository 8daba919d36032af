#!/usr/bin/env node
// The `slipway` command. `npm ci` bundles the CLI into build/cli (`npm run build`, esbuild), which
// starts in about 0.1 s; when that bundle is missing or older than any source file (a developer
// editing src/), the TypeScript sources run through tsx's loader instead (about 0.4 s more).
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'build', 'cli', 'main.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestSource(path) : entry.name.endsWith('.ts') ? statSync(path).mtimeMs : 0;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

function bundleIsFresh() {
  try {
    const built = statSync(bundle).mtimeMs;
    return ['src', 'stacks', 'policies'].every((dir) => newestSource(join(root, dir)) <= built);
  } catch {
    return false;
  }
}

// `slipway synth | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error && error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

let main;
let processIo;
if (bundleIsFresh()) {
  ({ main, processIo } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
  ({ processIo } = await import('../src/cli/io.ts'));
}
try {
  process.exitCode = await main(process.argv.slice(2), processIo());
} catch (error) {
  process.stderr.write(`slipway: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
