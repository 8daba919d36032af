#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader so that `npx slipway` works without a build step.
import { register } from 'tsx/esm/api';

register();
// `slipway synth | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error && error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const { main } = await import('../src/cli/main.ts');
const { processIo } = await import('../src/cli/io.ts');
try {
  process.exitCode = await main(process.argv.slice(2), processIo());
} catch (error) {
  process.stderr.write(`slipway: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
