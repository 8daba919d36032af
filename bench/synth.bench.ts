/**
 * Synthesis figures (printed, never asserted):
 *   1. synthesize() of microservices-demo after warm-up: median, p90 and min per run (target ≤ 2 ms);
 *   2. `node bin/slipway.js synth fixtures/apps/microservices-demo` as a whole process: wall time
 *      and peak RSS, median of several runs (targets ≤ 1 s, ≤ 200 MB);
 *   3. where a cold process spends its start: importing cdktf, the provider resources, the loader.
 *
 *   node --import tsx bench/synth.bench.ts [--runs 500] [--processes 5]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadApps } from '../src/config/load.ts';
import { resolveEnvironment } from '../src/config/resolve-environment.ts';
import type { ResolvedConfig } from '../src/config/schema.ts';
import { synthesize } from '../src/synth/synthesize.ts';
import { microservicesDemoInput, resolved } from '../test/synth/example-configs.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '500' }, processes: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const processes = Number(values.processes);
const root = join(import.meta.dirname, '..');
const fixture = join(root, 'fixtures/apps/microservices-demo');

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (n: number) => `${n.toFixed(2)} ms`;

async function demoConfig(): Promise<{ config: ResolvedConfig; from: string }> {
  if (existsSync(join(fixture, 'paas.yaml'))) {
    const { apps, errors } = await loadApps(fixture);
    if (errors.length === 0 && apps.length === 1) return { config: resolveEnvironment(apps[0].config, 'production'), from: 'fixtures/apps/microservices-demo' };
  }
  return { config: resolved(microservicesDemoInput), from: 'inline config (fixture missing or invalid)' };
}

// 1. In-process synthesis.
const { config, from } = await demoConfig();
for (let i = 0; i < 100; i++) synthesize(config);
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  synthesize(config);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const doc = synthesize(config);
const resources = Object.values(doc.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
const dataSources = Object.values(doc.data ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
console.log(`synthesize(microservices-demo) from ${from}: ${resources} resources, ${dataSources} data sources, ${JSON.stringify(doc).length} bytes`);
console.log(`  after 100 warm-up runs, ${runs} runs: median ${ms(quantile(times, 0.5))}, p90 ${ms(quantile(times, 0.9))}, min ${ms(times[0])}   (target: median ≤ 2 ms)`);

// 2. The whole command as a process.
const hasTime = existsSync('/usr/bin/time');
const walls: number[] = [];
const peaks: number[] = [];
const cpus: number[] = [];
for (let i = 0; i < processes; i++) {
  const args = ['bin/slipway.js', 'synth', 'fixtures/apps/microservices-demo'];
  const start = performance.now();
  const child = hasTime
    ? spawnSync('/usr/bin/time', ['-v', process.execPath, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    : spawnSync(process.execPath, ['-e', peakRssWrapper(args)], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  walls.push(performance.now() - start);
  if (child.status !== 0) throw new Error(`slipway synth failed: ${child.stderr}`);
  const kb = hasTime ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)?.[1]) : Number(/peak-rss-kb=(\d+)/.exec(child.stderr)?.[1]);
  peaks.push(kb / 1024);
  if (hasTime) {
    const user = Number(/User time \(seconds\): ([\d.]+)/.exec(child.stderr)?.[1]);
    const system = Number(/System time \(seconds\): ([\d.]+)/.exec(child.stderr)?.[1]);
    cpus.push((user + system) * 1000);
  }
}
cpus.sort((a, b) => a - b);
walls.sort((a, b) => a - b);
peaks.sort((a, b) => a - b);
console.log(`slipway synth fixtures/apps/microservices-demo, ${processes} processes (RSS via ${hasTime ? '/usr/bin/time -v' : 'process.resourceUsage'}):`);
console.log(`  wall median ${ms(quantile(walls, 0.5))} (min ${ms(walls[0])}, max ${ms(walls[walls.length - 1])}); peak RSS median ${quantile(peaks, 0.5).toFixed(0)} MB (max ${peaks[peaks.length - 1].toFixed(0)} MB)   (targets: ≤ 1 s, ≤ 200 MB)`);
if (cpus.length > 0) console.log(`  CPU (user + sys, all threads) median ${ms(quantile(cpus, 0.5))}`);
const load = (await import('node:os')).loadavg();
console.log(`  machine load average during the run: ${load.map((n) => n.toFixed(1)).join(' ')} on ${(await import('node:os')).availableParallelism()} cores (timings stretch with it)`);

// 3. Start-up cost, each measured in a fresh process (tsx loader included in every case).
const importCases: [string, string][] = [
  ['stacks/cdk.ts (cdktf + constructs, loaded with require)', "await import('./stacks/cdk.ts');"],
  ['stacks/app-stack.ts (cdktf, provider, platform lookups)', "await import('./stacks/app-stack.ts');"],
  ['stacks/all-kinds.ts (+ every kind and its resources)', "await import('./stacks/all-kinds.ts');"],
  ['src/config/load.ts (loader, yaml, zod)', "await import('./src/config/load.ts');"],
  ['src/cli/synth.ts (all of the above)', "await import('./src/cli/synth.ts');"],
];
const bare: number[] = [];
for (let i = 0; i < 3; i++) {
  const start = performance.now();
  execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ''], { cwd: root });
  bare.push(performance.now() - start);
}
bare.sort((a, b) => a - b);
console.log(`a bare \`node --import tsx\` process that does nothing: ${ms(bare[1])} wall (median of 3)`);
console.log('cold import cost inside a fresh process (median of 3):');
for (const [label, code] of importCases) {
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `const t = performance.now(); ${code} console.log(performance.now() - t);`], { cwd: root, encoding: 'utf8' });
    samples.push(Number(out.trim()));
  }
  samples.sort((a, b) => a - b);
  console.log(`  ${label.padEnd(62)} ${ms(samples[1])}`);
}

function peakRssWrapper(args: string[]): string {
  return `const { spawnSync } = require('node:child_process');
const r = spawnSync(process.execPath, ${JSON.stringify(args)}, { stdio: ['ignore', 'ignore', 'inherit'] });
process.stderr.write('peak-rss-kb=' + process.resourceUsage().maxRSS + '\\n');
process.exit(r.status ?? 1);`;
}
