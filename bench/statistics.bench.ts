/**
 * Our own statistics against simple-statistics on the engine's input sizes (a day, two weeks at 5
 * minutes, two weeks at 1 minute): the engine uses simple-statistics wherever it does the same job
 * without a measured loss, and keeps its own code where this bench shows one (docs/recommendations.md).
 * Run: node --import tsx bench/statistics.bench.ts
 */
import { mean, median, medianAbsoluteDeviation, quantile } from 'simple-statistics';
import { median as ownMedian } from '../src/recommend/grid.ts';
import { histogramQuantiles } from '../src/recommend/histogram-quantiles.ts';

let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const withGaps = (n: number) => Float64Array.from({ length: n }, (_, i) => (i % 97 === 0 ? Number.NaN : 100 * rand()));
/** The finite values as a plain array (what simple-statistics takes; the engine's grids hold NaN for gaps). */
function finite(a: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) out.push(a[i]);
  return out;
}

function time(label: string, f: () => unknown, reps = 300): number {
  for (let i = 0; i < 20; i++) f();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) f();
  const us = ((performance.now() - t0) / reps) * 1000;
  console.log(`  ${label.padEnd(52)} ${us.toFixed(1).padStart(8)} µs`);
  return us;
}

for (const n of [288, 4032, 20160]) {
  const a = withGaps(n);
  const list = finite(a);
  const f = Float64Array.from(list);
  console.log(`n = ${n}`);
  time('median, own quickselect (skips NaN itself)', () => ownMedian(a));
  time('median, simple-statistics (NaN filtered first)', () => median(finite(a)));
  time('median, simple-statistics (input already finite)', () => median(list));
  time('MAD, simple-statistics', () => medianAbsoluteDeviation(list));
  time('P5/P50/P99/max, own 4,096-bucket histogram', () => histogramQuantiles(f, [0.05, 0.5, 0.99, 1]));
  time('P5/P50/P99/max, simple-statistics quantile (exact)', () => quantile(list, [0.05, 0.5, 0.99, 1]));
  time('mean, simple-statistics (compensated sum)', () => mean(list));
  time('mean, plain loop', () => {
    let sum = 0;
    for (let i = 0; i < f.length; i++) sum += f[i];
    return sum / f.length;
  });
}
