/**
 * How `npm start` runs `slipway serve` (package.json's `start` script): the environment variables
 * it sets (glibc's malloc settings) and the flags it passes to `node`, so a bench that starts the
 * service as its own process measures what `npm start` runs, and follows it when it changes.
 */
import { readFileSync } from 'node:fs';

const script = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start;
const words = script.split(/\s+/).filter(Boolean);
const node = words.indexOf('node');

/** `MALLOC_ARENA_MAX=2 …`: the variables `npm start` sets. */
export const npmStartEnv: Record<string, string> = Object.fromEntries(words.slice(0, node).map((word) => word.split('=', 2) as [string, string]));
/** `--max-semi-space-size=4 …`: the flags `npm start` gives node, before `bin/slipway.js`. */
export const npmStartNodeFlags: string[] = words.slice(node + 1, words.indexOf('bin/slipway.js'));
