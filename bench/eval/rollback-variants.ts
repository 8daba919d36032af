/**
 * Variants of the verdict tried against the shipped one, on the same deploys, injections and
 * leave-one-trace-out rule as bench/eval/rollback.ts (`npm run eval -- --rollback --variants`).
 * Each family is a grid the cross-validation chooses in, the shipped rule's choices included, so a
 * family can only lose held out by over-fitting its extra knobs:
 *
 *  - shipped: the rank test on the weekly-scaled baseline, a p threshold, a median rise, one or
 *    two checks in a row (the last check counts alone);
 *  - (a) sequential, alpha spent over the four checks: the same z threshold at every check
 *    (Pocock / Bonferroni shape) or O'Brien–Fleming's z·√(4/k), strict early and loose at the end;
 *  - (b) noise-aware: the median's rise must also be k times the baseline's own spread
 *    (1.4826 × MAD), so a noisy series needs a larger step;
 *  - (d) residuals: every sample less the one at the same time a week earlier, before and after
 *    the deploy (the daily and weekly pattern removed sample by sample rather than by one factor);
 *    the rise is the after median against what last week plus the baseline's residual predicts;
 *    deploys without a week of history fall back to the scaled baseline.
 *
 * Only the rank test's z and the medians are computed here (simple-statistics and the engine's
 * rankSumU): these are the engine's numbers, so the "shipped" family reproduces its figures.
 */
import { median, medianAbsoluteDeviation } from 'simple-statistics';
import { judgeDeploy } from '../../src/rollback/judge-deploy.ts';
import { rankSumU } from '../../src/rollback/rank-sum-u.ts';
import { checkpointsPerWatch, defaultVerdictSettings } from '../../src/rollback/verdict-settings.ts';
import { verdictWindows, weekMs } from '../../src/rollback/verdict-windows.ts';
import { leaveOneOut } from './cross-validate.ts';
import { deployTimes, emptyTally, inject, injections, lowerBound, record, series, slice, summarize, verdictRule, type EvalOptions, type Series, type Summary, type Tally } from './rollback.ts';
import type { Trace } from './traces.ts';

/** The numbers one check gives, for one baseline length: scaled (the engine's) and residual (when a week earlier is recorded). */
type Look = { z: number; effect: number; noise: number; residual?: { z: number; effect: number } };
type Variant = { baselineWatches: number; source: 'scaled' | 'residual'; z: number; minEffect: number; noise: number; boundary: 'constant' | 'obrien-fleming'; confirmations: number };
export type VariantFamily = { name: string; grid: Variant[] };

const baselines = [4, 8];
function gridOf(over: Partial<Record<keyof Variant, readonly unknown[]>>): Variant[] {
  const axes = { baselineWatches: baselines, source: ['scaled'], z: [2.326, 3.09, 3.72, 4.26], minEffect: [0.05, 0.1, 0.2, 0.3], noise: [0], boundary: ['constant'], confirmations: [1, 2], ...over } as Record<keyof Variant, unknown[]>;
  let out: Partial<Variant>[] = [{}];
  for (const [k, values] of Object.entries(axes)) out = out.flatMap((v) => values.map((x) => ({ ...v, [k]: x })));
  return out as Variant[];
}
export const variantFamilies: VariantFamily[] = [
  { name: 'shipped rule (same grid)', grid: gridOf({}) },
  { name: '(a) alpha spent over the checks', grid: gridOf({ boundary: ['constant', 'obrien-fleming'] }) },
  { name: '(b) rise in units of the baseline spread', grid: gridOf({ noise: [0, 0.5, 1, 2, 3] }) },
  { name: '(d) residuals vs a week earlier', grid: gridOf({ source: ['scaled', 'residual'] }) },
  { name: '(a)+(b)+(d) together', grid: gridOf({ boundary: ['constant', 'obrien-fleming'], noise: [0, 1, 2], source: ['scaled', 'residual'] }) },
];

function rankZ(after: ArrayLike<number>, before: ArrayLike<number>): number {
  const m = after.length;
  const n = before.length;
  return (rankSumU(after, before) - (m * n) / 2 - 0.5) / Math.sqrt((m * n * (m + n + 1)) / 12);
}
const rise = (after: number, before: number) => (before > 0 ? after / before - 1 : after > 0 ? Infinity : 0);

/** The value at exactly (within half a step) a week before t, or NaN. */
function weekEarlier(s: Series, t: number): number {
  const i = lowerBound(s.times, t - weekMs - s.stepMs / 2);
  return i < s.times.length && Math.abs(s.times[i]! - (t - weekMs)) <= s.stepMs / 2 ? s.values[i]! : NaN;
}

function look(s: Series, w: ReturnType<typeof verdictWindows>, after: Float64Array, minSamples: number): Look | undefined {
  const raw = slice(s, w.before);
  if (raw.length < minSamples || after.length < minSamples) return undefined;
  const factor = judgeDeploy([{ service: 't', metric: 'v', before: raw, after, weekBefore: slice(s, w.weekBefore), weekAfter: slice(s, w.weekAfter) }], { ...defaultVerdictSettings, seasonal: true }).metrics[0]?.seasonalFactor ?? 1;
  const before = Array.from(raw, (v) => v * factor);
  const mb = median(before);
  const ma = median(Array.from(after));
  const spread = 1.4826 * medianAbsoluteDeviation(before);
  const out: Look = { z: rankZ(after, before), effect: rise(ma, mb), noise: spread > 0 ? (ma - mb) / spread : ma > mb ? Infinity : 0 };
  // Residuals: each sample less the one a week earlier.
  const from = lowerBound(s.times, w.before.from);
  const rb: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const x = weekEarlier(s, s.times[from + i]!);
    if (!Number.isNaN(x)) rb.push(raw[i]! - x);
  }
  const at = lowerBound(s.times, w.after.from);
  const ra: number[] = [];
  const lastWeek: number[] = [];
  for (let i = 0; i < after.length; i++) {
    const x = weekEarlier(s, s.times[at + i]!);
    if (Number.isNaN(x)) continue;
    ra.push(after[i]! - x);
    lastWeek.push(x);
  }
  if (rb.length >= minSamples && ra.length >= minSamples) {
    const shift = median(rb);
    out.residual = { z: rankZ(ra, rb), effect: rise(ma, median(lastWeek) + shift) };
  }
  return out;
}

function shown(l: Look | undefined, v: Variant, k: number): boolean {
  if (!l) return false;
  const r = v.source === 'residual' && l.residual ? l.residual : l;
  const bar = v.boundary === 'obrien-fleming' ? v.z * Math.sqrt(checkpointsPerWatch / k) : v.z;
  return r.z >= bar && r.effect >= v.minEffect && (v.noise <= 0 || l.noise >= v.noise);
}

/** Every variant's tally on one trace, per family. */
function variantTallies(trace: Trace, options: EvalOptions, families: VariantFamily[]): Tally[][] {
  const s = series(trace);
  const watchMs = options.watchSamples * s.stepMs;
  const maxBaseline = Math.max(...baselines);
  const tallies = families.map((f) => f.grid.map(() => emptyTally(trace.name)));
  for (const deployedAt of deployTimes(trace, s, watchMs, maxBaseline)) {
    const reference = Array.from(slice(s, { from: deployedAt - maxBaseline * watchMs, to: deployedAt }));
    const level = reference.length > 0 ? median(reference) : 0;
    for (const injection of [undefined, ...injections]) {
      if (injection?.shape === 'level' && !(level > 0)) continue;
      const looks = new Map<number, Array<Look | undefined>>();
      for (const baselineWatches of baselines) {
        looks.set(baselineWatches, Array.from({ length: checkpointsPerWatch }, (_, i) => {
          const w = verdictWindows({ deployedAt, watchMs, now: deployedAt + ((i + 1) * watchMs) / checkpointsPerWatch }, { baselineWatches, historyWatches: baselineWatches });
          return look(s, w, inject(slice(s, w.after), injection, level), defaultVerdictSettings.minSamples);
        }));
      }
      families.forEach((f, fi) =>
        f.grid.forEach((v, vi) => {
          let inARow = 0;
          let hit = Infinity;
          const ls = looks.get(v.baselineWatches)!;
          for (let k = 1; k <= checkpointsPerWatch && hit === Infinity; k++) {
            inARow = shown(ls[k - 1], v, k) ? inARow + 1 : 0;
            if (inARow > 0 && (inARow >= v.confirmations || k === checkpointsPerWatch)) hit = k / checkpointsPerWatch;
          }
          record(tallies[fi]![vi]!, injection, hit);
        }),
      );
    }
  }
  return tallies;
}

export type VariantResult = { name: string; settings: number; heldOut: Summary; inSample: Summary; chosenOnAll: Variant };

/**
 * Each family's held-out and in-sample figures, and `nested`: the family itself chosen without the
 * held-out trace (by the same rule on the other traces' own leave-one-out figures), then its
 * setting: picking the best family by its held-out row would tune on the held-out traces.
 */
export function evaluateVariants(traces: readonly Trace[], options: EvalOptions, families: VariantFamily[] = variantFamilies): { families: VariantResult[]; nested: { heldOut: Summary; familyPerTrace: string[] } } {
  const runs = traces.map((t) => variantTallies(t, options, families));
  const names = traces.map((t) => t.name);
  const rule = verdictRule(options.goalFalsePer100);
  const bySettingOf = (fi: number, among: number[]) => families[fi]!.grid.map((_, vi) => among.map((h) => runs[h]![fi]![vi]!));
  const everyTrace = names.map((_, h) => h);
  /** The held-out tallies of family fi on the traces `among`, each judged with the setting chosen on the rest of `among`. */
  const heldOutTallies = (fi: number, among: number[]) => leaveOneOut(among.map((h) => names[h]!), bySettingOf(fi, among), rule).map((fold, k) => runs[among[k]!]![fi]![fold.setting]!);
  const results = families.map((f, fi) => {
    const all = rule(bySettingOf(fi, everyTrace));
    return { name: f.name, settings: f.grid.length, heldOut: summarize(heldOutTallies(fi, everyTrace)), inSample: summarize(bySettingOf(fi, everyTrace)[all]!), chosenOnAll: f.grid[all]! };
  });
  const nested = everyTrace.map((h) => {
    const others = everyTrace.filter((k) => k !== h);
    const fi = rule(families.map((_, f) => heldOutTallies(f, others)));
    return { family: families[fi]!.name, tally: runs[h]![fi]![rule(bySettingOf(fi, others))]! };
  });
  return { families: results, nested: { heldOut: summarize(nested.map((n) => n.tally)), familyPerTrace: nested.map((n) => n.family) } };
}

export function printVariants({ families: results, nested }: ReturnType<typeof evaluateVariants>): void {
  console.log('\nVariants (leave-one-trace-out, same deploys and rule; held out | in-sample): false/100, +20 %, +50 %, +100 % caught');
  const cells = (s: Summary) => [s.falseRollbacksPer100.toFixed(2).padStart(6), ...['+20%', '+50%', '+100%'].map((k) => `${(s.detected[k]!.all * 100).toFixed(1)} %`.padStart(8))].join(' ');
  for (const r of results) {
    const c = r.chosenOnAll;
    console.log(`  ${`${r.name} (${r.settings})`.padEnd(48)} ${cells(r.heldOut)} | ${cells(r.inSample)} | on all: ${c.source} z ≥ ${c.z} +${c.minEffect}${c.noise > 0 ? ` ≥ ${c.noise} spreads` : ''} base ${c.baselineWatches}× ${c.boundary}${c.confirmations > 1 ? ' 2 in a row' : ''}`);
  }
  console.log(`  ${'the family too chosen without the held-out trace'.padEnd(48)} ${cells(nested.heldOut)} | families chosen: ${[...new Set(nested.familyPerTrace)].map((f) => `${f} ×${nested.familyPerTrace.filter((x) => x === f).length}`).join(', ')}`);
}
