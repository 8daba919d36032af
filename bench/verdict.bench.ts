/**
 * How long a deploy's verdict takes (goal: ≤ 10 ms for 4 metrics × 10,080 samples each).
 * Run: node --import tsx bench/verdict.bench.ts [--rounds N]
 *
 *  - week-long baseline: each of 4 metrics judged on 10,080 samples before the deploy (a week at
 *    one a minute) against a 15-minute watch, with the week-earlier windows (10,080 + 15) too: the
 *    heaviest input the issue names;
 *  - as shipped: a 15-minute watch and its 2-hour baseline (8 watches, 120 samples), taken by time
 *    from 4 series of 10,080 samples each, as the verdict job reads them.
 * Pure computation: the store's reads are not in these figures.
 */
import { parseArgs } from 'node:util';
import { judgeDeploy, type MetricWindows } from '../src/rollback/judge-deploy.ts';
import { defaultVerdictSettings } from '../src/rollback/verdict-settings.ts';
import { verdictWindows } from '../src/rollback/verdict-windows.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '200' } } });
const rounds = Number(values.rounds);
let seed = 11;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const metrics = ['cpu', 'memory', 'errors', 'latency'];
const series = (n: number, level: number) => Array.from({ length: n }, () => level * (0.8 + 0.4 * rand()));

function measure(label: string, make: () => MetricWindows[], settings = defaultVerdictSettings): void {
  const inputs = Array.from({ length: 8 }, make);
  for (let i = 0; i < 20; i++) judgeDeploy(inputs[i % inputs.length]!, settings);
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    judgeDeploy(inputs[i % inputs.length]!, settings);
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2);
  // CPU time per verdict: what this process spent, less sensitive than wall time to other work on the machine.
  const cpuMs = ((cpu.user + cpu.system) / 1000 / rounds).toFixed(2);
  console.log(`${label.padEnd(70)} wall p50 ${q(0.5)} ms   p95 ${q(0.95)} ms   max ${q(1)} ms   cpu ${cpuMs} ms per verdict`);
}

console.log(`verdict over 4 metrics, ${rounds} rounds (load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`);
measure('week-long baseline: 4 × (10,080 before + 15 after), weekly windows too', () =>
  metrics.map((metric) => ({ service: 'web', metric, before: series(10_080, 100), after: series(15, 100), weekBefore: series(10_080, 100), weekAfter: series(15, 100) })),
  { ...defaultVerdictSettings, seasonal: true },
);
measure('week-long baseline, no weekly discount: 4 × (10,080 before + 15 after)', () =>
  metrics.map((metric) => ({ service: 'web', metric, before: series(10_080, 100), after: series(15, 100) })),
);
// As shipped: the windows a 15-minute watch takes from a week of minutes per metric.
const deployedAt = Date.UTC(2026, 0, 8);
const minute = 60_000;
const w = verdictWindows({ deployedAt, watchMs: 15 * minute, now: deployedAt + 15 * minute }, defaultVerdictSettings);
const week = Array.from({ length: 10_080 }, (_, i) => deployedAt - (10_080 - 15 - i) * minute);
const pick = (values: number[], from: number, to: number) => values.filter((_, i) => week[i]! >= from && week[i]! < to);
measure('as shipped: 15m watch, 2h baseline, cut from 4 series of 10,080 samples', () =>
  metrics.map((metric) => {
    const values = series(10_080, 100);
    return { service: 'web', metric, before: pick(values, w.before.from, w.before.to), after: pick(values, w.after.from, w.after.to) };
  }),
);
