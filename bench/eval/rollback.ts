/**
 * Evaluation of deploy verdicts on real traces (`npm run eval -- --rollback [--data DIR] [--json]`).
 *
 * Deploys are simulated at regular points of every trace (every two watch windows, skipping the
 * labelled incident windows: a rollback during a real incident is not a false one, nor a
 * detection of ours). Each deploy is judged clean, and again with a step regression injected at
 * the deploy time into the watch window: +20 %, +50 %, +100 % in level (the baseline's median
 * added) and multiplicative (every value scaled, as latency grows). The engine
 * (src/rollback/judge-deploy.ts) checks at each quarter of the watch, as the verdict job does; the
 * baseline is Flagger's: a fixed threshold (a quantile of the hours before, times a factor) and a
 * rollback after N consecutive samples over it.
 *
 * Both are tuned by leave-one-trace-out cross-validation with the same rule: among the settings
 * with at most 1 false rollback per 100 clean deploys on the other traces, the one catching the
 * most +50 % regressions there. The held-out figures (each trace judged with the setting chosen
 * without it) are the headline; the in-sample ones (chosen on all traces) are beside them.
 */
import { countBelow } from '../../src/rollback/count-below.ts';
import { isRegression } from '../../src/rollback/judge-metric.ts';
import { judgeDeploy, metricScale } from '../../src/rollback/judge-deploy.ts';
import { checkpointsPerWatch, defaultVerdictSettings, regressionCounts, type VerdictSettings } from '../../src/rollback/verdict-settings.ts';
import { verdictWindows, type TimeWindow } from '../../src/rollback/verdict-windows.ts';
import type { Trace } from './traces.ts';
import { leaveOneOut, type Rule } from './cross-validate.ts';
import { medianAbsoluteDeviation, quantile } from 'simple-statistics';

export const sizes = [0.2, 0.5, 1] as const;
export const shapes = ['level', 'multiplicative'] as const;
type Shape = (typeof shapes)[number];
export type Injection = { shape: Shape; size: number };
export const injections: Injection[] = shapes.flatMap((shape) => sizes.map((size) => ({ shape, size })));

export type EvalOptions = { watchSamples: number; goalFalsePer100: number; historyScale: boolean };
export const defaultEvalOptions: EvalOptions = { watchSamples: 12, goalFalsePer100: 1, historyScale: false };

/**
 * The engine's grid: the test (rank or sign) and its p, the level's rise, the baseline's length,
 * the weekly discount, checks in a row. With `historyScale`, also how many times the service's
 * usual movement the rise must be (0: not asked; history-scale.ts), on the shipped 24 watches of
 * history: an experiment, off by default (see docs/rollback.md: it did worse held out).
 */
export function engineGridOf(options: Pick<EvalOptions, 'historyScale'>): VerdictSettings[] {
  return [0.0001, 0.001, 0.01, 0.05].flatMap((alpha) =>
    (['rank', 'sign'] as const).flatMap((test) =>
      [0.05, 0.1, 0.2, 0.3].flatMap((minEffect) =>
        (options.historyScale ? [0, 3, 5] : [0]).flatMap((minZ) =>
          (['median', 'mean'] as const).flatMap((effectOf) =>
            [2, 4, 8].flatMap((baselineWatches) =>
              [false, true].flatMap((seasonal) =>
                [1, 2].map((confirmations) => ({ alpha, test, minEffect, effectOf, minSamples: defaultVerdictSettings.minSamples, baselineWatches, seasonal, minZ, historyWatches: defaultVerdictSettings.historyWatches, confirmations })),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
/** Flagger's analysis: threshold = quantile q of the baseline × factor; N consecutive failed checks. */
export type FlaggerSetting = { q: number; factor: number; consecutive: number };
export const flaggerGrid: FlaggerSetting[] = [0.9, 0.99, 1].flatMap((q) => [1, 1.1, 1.25, 1.5].flatMap((factor) => [1, 2, 3, 4, 6].map((consecutive) => ({ q, factor, consecutive }))));

/** Outcomes of one setting on one trace. */
export type Tally = {
  trace: string;
  clean: number;
  /**
   * Level injections that changed nothing: the level (the median of the hours before) was 0, so
   * +50 % of it adds 0. Not regressions, so neither caught nor missed; counted here to be seen.
   */
  invisible: number;
  falseRollbacks: number;
  /** Per injection `${shape}:${size}`: deploys, detected within the watch, sum of detection delays (fraction of the watch). */
  injected: Record<string, { deploys: number; detected: number; delaySum: number }>;
};

const key = (i: Injection) => `${i.shape}:${i.size}`;

export function emptyTally(trace: string): Tally {
  return { trace, clean: 0, invisible: 0, falseRollbacks: 0, injected: Object.fromEntries(injections.map((i) => [key(i), { deploys: 0, detected: 0, delaySum: 0 }])) };
}

/** A trace's times and values, and the index range of a time window. */
export type Series = { times: Float64Array; values: Float64Array; stepMs: number };
export function series(trace: Trace): Series {
  const times = Float64Array.from(trace.samples, (s) => s.t);
  const values = Float64Array.from(trace.samples, (s) => s.v);
  const steps = Array.from(times.subarray(1), (t, i) => t - times[i]!).sort((a, b) => a - b);
  return { times, values, stepMs: steps[Math.floor(steps.length / 2)]! };
}
/** The first index whose time is at or after t. */
export const lowerBound = (times: Float64Array, t: number): number => countBelow(times, t);
export const slice = (s: Series, w: TimeWindow) => s.values.subarray(lowerBound(s.times, w.from), lowerBound(s.times, w.to));

/** Deploy times: every two watches, with the baseline and watch clear of labelled incidents. */
export function deployTimes(trace: Trace, s: Series, watchMs: number, maxBaselineWatches: number): number[] {
  const out: number[] = [];
  const first = s.times[0]! + maxBaselineWatches * watchMs;
  const last = s.times[s.times.length - 1]! - watchMs;
  for (let t = first; t <= last; t += 2 * watchMs) {
    const from = t - maxBaselineWatches * watchMs;
    const to = t + watchMs;
    if (trace.labels?.some((l) => l.from < to && l.to > from)) continue;
    out.push(t);
  }
  return out;
}

export function inject(values: ArrayLike<number>, injection: Injection | undefined, level: number): Float64Array {
  const out = Float64Array.from(values);
  if (!injection) return out;
  for (let i = 0; i < out.length; i++) out[i] = injection.shape === 'level' ? out[i]! + injection.size * level : out[i]! * (1 + injection.size);
  return out;
}

/**
 * Every engine setting's and every Flagger setting's tally on one trace. The rank test's p and the
 * effect depend only on the baseline's length and the weekly discount, so they are computed once
 * per pair and every (alpha, minEffect) is applied to them.
 */
export function evaluateTrace(trace: Trace, options: EvalOptions): { engine: Tally[]; flagger: Tally[]; noise: TraceNoise } {
  const engineGrid = engineGridOf(options);
  const s = series(trace);
  const watchMs = options.watchSamples * s.stepMs;
  const maxBaseline = Math.max(...engineGrid.map((g) => g.baselineWatches));
  // With the history's scale in the grid, deploys need its history before them (fewer deploys).
  const maxHistory = options.historyScale ? Math.max(maxBaseline, ...engineGrid.map((g) => g.historyWatches)) : maxBaseline;
  const engine = engineGrid.map(() => emptyTally(trace.name));
  const flagger = flaggerGrid.map(() => emptyTally(trace.name));
  const shapesOfGrid = [...new Set(engineGrid.map((g) => `${g.baselineWatches}:${g.effectOf}:${g.seasonal}`))];
  const historyWatches = defaultVerdictSettings.historyWatches;
  const cleanChanges: CleanChange[] = [];
  const baselineCvs: number[] = [];
  for (const deployedAt of deployTimes(trace, s, watchMs, maxHistory)) {
    // The injected step's size, the same for every method and setting: the level of the longest baseline.
    const reference = Array.from(slice(s, { from: deployedAt - maxBaseline * watchMs, to: deployedAt }));
    const level = reference.length > 0 ? quantile(reference, 0.5) : 0;
    if (level > 0) baselineCvs.push((1.4826 * medianAbsoluteDeviation(reference)) / level);
    // The service's usual movement, per baseline length and check: it does not depend on the injection.
    const scales = new Map<string, number | undefined>();
    const scaleOf = (baselineWatches: number, k: number, history: { times: Float64Array; values: Float64Array }, afterLength: number) => {
      const id = `${baselineWatches}:${k}`;
      if (!scales.has(id)) scales.set(id, metricScale({ history, after: { length: afterLength } }, { baselineWatches }, watchMs));
      return scales.get(id);
    };
    for (const injection of [undefined, ...injections]) {
      if (injection?.shape === 'level' && !(level > 0)) {
        for (const t of [...engine, ...flagger]) t.invisible++;
        continue;
      }
      // Engine: first checkpoint whose evidence is a regression, per setting.
      const firstHit = engineGrid.map(() => Infinity);
      const inARow = engineGrid.map(() => 0);
      for (const shape of shapesOfGrid) {
        const [baselineWatches, effectOf, seasonal] = [Number(shape.split(':')[0]), shape.split(':')[1] as 'median' | 'mean', shape.endsWith('true')];
        for (let k = 1; k <= checkpointsPerWatch; k++) {
          const now = deployedAt + (k * watchMs) / checkpointsPerWatch;
          const w = verdictWindows({ deployedAt, watchMs, now }, { baselineWatches, historyWatches });
          const before = slice(s, w.before);
          const after = inject(slice(s, w.after), injection, level);
          const from = lowerBound(s.times, w.history.from);
          const to = lowerBound(s.times, w.history.to);
          const scale = !options.historyScale ? undefined : scaleOf(baselineWatches, k, { times: s.times.subarray(from, to), values: s.values.subarray(from, to) }, after.length);
          const judged = judgeDeploy(
            [{ service: 'trace', metric: 'value', before, after, weekBefore: slice(s, w.weekBefore), weekAfter: slice(s, w.weekAfter), ...(scale !== undefined ? { scale } : {}) }],
            { alpha: 1, test: 'rank', minEffect: -Infinity, effectOf, minSamples: defaultVerdictSettings.minSamples, baselineWatches, seasonal, minZ: Number.MIN_VALUE, historyWatches, confirmations: 1 },
          ).metrics[0];
          if (!injection && k === checkpointsPerWatch && baselineWatches === maxBaseline && seasonal && effectOf === 'median' && judged?.median) cleanChanges.push(cleanChange(judged.median));
          engineGrid.forEach((g, i) => {
            if (g.baselineWatches !== baselineWatches || g.effectOf !== effectOf || g.seasonal !== seasonal || firstHit[i] !== Infinity) return;
            const shown = judged?.p !== undefined && judged.effect !== undefined && isRegression({ p: judged.p, effect: judged.effect, ...(judged.pAbove !== undefined ? { pAbove: judged.pAbove } : {}), ...(judged.z !== undefined ? { z: judged.z } : {}) }, g);
            inARow[i] = shown ? inARow[i]! + 1 : 0;
            if (shown && regressionCounts(g, inARow[i]!, k)) firstHit[i] = k / checkpointsPerWatch;
          });
        }
      }
      engineGrid.forEach((_, i) => record(engine[i]!, injection, firstHit[i]!));
      // Flagger: the baseline hours before (4 watches, its most common interval × threshold), each sample a check.
      const w = verdictWindows({ deployedAt, watchMs, now: deployedAt + watchMs }, { baselineWatches: 4, historyWatches });
      const before = Array.from(slice(s, w.before));
      if (before.length === 0) continue;
      const after = inject(slice(s, w.after), injection, level);
      flaggerGrid.forEach((g, i) => {
        const threshold = quantile(before, g.q) * g.factor;
        let run = 0;
        let hit = Infinity;
        for (let j = 0; j < after.length; j++) {
          run = after[j]! > threshold ? run + 1 : 0;
          if (run >= g.consecutive) {
            hit = (j + 1) / options.watchSamples;
            break;
          }
        }
        record(flagger[i]!, injection, hit);
      });
    }
  }
  return { engine, flagger, noise: traceNoise(baselineCvs, cleanChanges) };
}

/**
 * How noisy a trace is against a +50 % step, without any judge's thresholds: its robust
 * coefficient of variation (1.4826 × MAD / median of the baseline before each deploy, the median
 * over deploys) and, over its clean deploys, the log-change of the watch's median against the
 * (weekly scaled) baseline's median. A +50 % step adds log 1.5 to that change; a judge of the
 * median allowed 1 false rollback per 100 clean deploys on this trace cannot flag changes under
 * their 99th percentile, so `medianCatchable50` is the share of clean watches such a judge could
 * catch with a +50 % step added. A median of 0 (before or after) is not lifted by a
 * multiplicative step: not catchable.
 */
export type TraceNoise = { robustCv: number; cleanChange99: number; medianCatchable50: number };
type CleanChange = { change: number; liftable: boolean };
/** The log-change of the medians; both 0 is no change, and not liftable; from or to 0 alone is an infinite change. */
function cleanChange(m: { before: number; after: number }): CleanChange {
  if (m.before > 0 && m.after > 0) return { change: Math.log(m.after / m.before), liftable: true };
  return { change: m.before > 0 ? -Infinity : m.after > 0 ? Infinity : 0, liftable: false };
}
function traceNoise(baselineCvs: number[], changes: CleanChange[]): TraceNoise {
  const robustCv = baselineCvs.length > 0 ? quantile(baselineCvs, 0.5) : Infinity;
  if (changes.length === 0) return { robustCv, cleanChange99: Infinity, medianCatchable50: 0 };
  const q99 = quantile(changes.map((c) => c.change), 0.99) || Infinity;
  const catchable = changes.filter((c) => c.liftable && c.change + Math.log(1.5) > q99).length / changes.length;
  return { robustCv, cleanChange99: q99, medianCatchable50: catchable };
}

export function record(tally: Tally, injection: Injection | undefined, hit: number): void {
  if (!injection) {
    tally.clean++;
    if (hit <= 1) tally.falseRollbacks++;
    return;
  }
  const cell = tally.injected[key(injection)]!;
  cell.deploys++;
  if (hit <= 1) {
    cell.detected++;
    cell.delaySum += hit;
  }
}

/** Tallies summed over traces, as rates. */
export type Summary = {
  cleanDeploys: number;
  /** Level injections that added nothing (a level of 0): left out of the detected shares, counted here. */
  invisibleInjections: number;
  falseRollbacksPer100: number;
  /** Per size: detected share, level and multiplicative together, and each. */
  detected: Record<string, { all: number; level: number; multiplicative: number; meanDelayOfWatch: number }>;
};
export function summarize(tallies: readonly Tally[]): Summary {
  const clean = tallies.reduce((a, t) => a + t.clean, 0);
  const falses = tallies.reduce((a, t) => a + t.falseRollbacks, 0);
  const cell = (k: string) => tallies.reduce((a, t) => ({ deploys: a.deploys + t.injected[k]!.deploys, detected: a.detected + t.injected[k]!.detected, delaySum: a.delaySum + t.injected[k]!.delaySum }), { deploys: 0, detected: 0, delaySum: 0 });
  const detected: Summary['detected'] = {};
  for (const size of sizes) {
    const level = cell(`level:${size}`);
    const mult = cell(`multiplicative:${size}`);
    const found = level.detected + mult.detected;
    detected[`+${size * 100}%`] = {
      all: found / Math.max(1, level.deploys + mult.deploys),
      level: level.detected / Math.max(1, level.deploys),
      multiplicative: mult.detected / Math.max(1, mult.deploys),
      meanDelayOfWatch: found > 0 ? (level.delaySum + mult.delaySum) / found : NaN,
    };
  }
  return { cleanDeploys: clean, invisibleInjections: tallies.reduce((a, t) => a + t.invisible, 0), falseRollbacksPer100: (100 * falses) / Math.max(1, clean), detected };
}

/** Among settings within the false-rollback goal, the most +50 % regressions caught; else the fewest false rollbacks. */
export function verdictRule(goalFalsePer100: number): Rule<Tally> {
  return (bySetting) => {
    const scored = bySetting.map((rows, i) => ({ i, s: summarize(rows) }));
    const within = scored.filter((x) => x.s.falseRollbacksPer100 <= goalFalsePer100 + 1e-9);
    const pool = within.length > 0 ? within : scored;
    pool.sort((a, b) => (within.length > 0 ? b.s.detected['+50%']!.all - a.s.detected['+50%']!.all : 0) || a.s.falseRollbacksPer100 - b.s.falseRollbacksPer100 || a.i - b.i);
    return pool[0]!.i;
  };
}

export type RollbackEval = {
  options: EvalOptions;
  traces: string[];
  engine: {
    heldOut: Summary;
    inSample: Summary;
    /**
     * Each trace judged with the setting best on that trace itself (≤ 1 false per 100 there, then
     * the most +50 % caught): not a figure to claim, a ceiling. What no setting of the engine
     * catches on a trace even when tuned on it, cross-validation cannot buy.
     */
    tunedOnItself: Summary;
    chosenOnAll: VerdictSettings;
    shipped: VerdictSettings;
    shippedMatchesChoice: boolean;
    perTrace: Array<{ trace: string; chosen: VerdictSettings; summary: Summary; tunedOnItself: Summary; noise: TraceNoise }>;
  };
  /**
   * The held-out figures again on the traces where a +50 % step is detectable at all: where the
   * engine tuned on that trace alone (≤ 1 false rollback per 100 there) catches at least half of
   * them. Beside the headline, never instead of it.
   */
  detectable: { traces: string[]; engine: Summary; flagger: Summary };
  flagger: { heldOut: Summary; inSample: Summary; chosenOnAll: FlaggerSetting; perTrace: Array<{ trace: string; chosen: FlaggerSetting; summary: Summary }> };
  goals: { detected50: boolean; falseRollbacks: boolean; betterThanBaselineOnBoth: boolean };
};

export function evaluateRollback(traces: readonly Trace[], options: EvalOptions = defaultEvalOptions): RollbackEval {
  const engineGrid = engineGridOf(options);
  const runs = traces.map((t) => evaluateTrace(t, options));
  const names = traces.map((t) => t.name);
  const rule = verdictRule(options.goalFalsePer100);
  const engineBySetting = engineGrid.map((_, i) => runs.map((r) => r.engine[i]!));
  const flaggerBySetting = flaggerGrid.map((_, i) => runs.map((r) => r.flagger[i]!));
  const engineFolds = leaveOneOut(names, engineBySetting, rule);
  const flaggerFolds = leaveOneOut(names, flaggerBySetting, rule);
  const enginePerTrace = engineFolds.map((f, h) => ({ trace: f.trace, chosen: engineGrid[f.setting]!, tally: runs[h]!.engine[f.setting]! }));
  const flaggerPerTrace = flaggerFolds.map((f, h) => ({ trace: f.trace, chosen: flaggerGrid[f.setting]!, tally: runs[h]!.flagger[f.setting]! }));
  const engineAll = rule(engineBySetting);
  const flaggerAll = rule(flaggerBySetting);
  const engineHeldOut = summarize(enginePerTrace.map((x) => x.tally));
  const engineOwn = runs.map((r) => r.engine[rule(engineGrid.map((_, i) => [r.engine[i]!]))]!);
  const flaggerHeldOut = summarize(flaggerPerTrace.map((x) => x.tally));
  const shipped = defaultVerdictSettings;
  const chosenOnAll = engineGrid[engineAll]!;
  const detectable = runs.flatMap((_, h) => (summarize([engineOwn[h]!]).detected['+50%']!.all >= 0.5 ? [h] : []));
  return {
    options,
    traces: names,
    engine: {
      heldOut: engineHeldOut,
      inSample: summarize(engineBySetting[engineAll]!),
      tunedOnItself: summarize(engineOwn),
      chosenOnAll,
      shipped,
      shippedMatchesChoice: JSON.stringify(shipped) === JSON.stringify(chosenOnAll),
      perTrace: enginePerTrace.map((x, h) => ({ trace: x.trace, chosen: x.chosen, summary: summarize([x.tally]), tunedOnItself: summarize([engineOwn[h]!]), noise: runs[h]!.noise })),
    },
    detectable: { traces: detectable.map((h) => names[h]!), engine: summarize(detectable.map((h) => enginePerTrace[h]!.tally)), flagger: summarize(detectable.map((h) => flaggerPerTrace[h]!.tally)) },
    flagger: {
      heldOut: flaggerHeldOut,
      inSample: summarize(flaggerBySetting[flaggerAll]!),
      chosenOnAll: flaggerGrid[flaggerAll]!,
      perTrace: flaggerPerTrace.map((x) => ({ trace: x.trace, chosen: x.chosen, summary: summarize([x.tally]) })),
    },
    goals: {
      detected50: engineHeldOut.detected['+50%']!.all >= 0.95,
      falseRollbacks: engineHeldOut.falseRollbacksPer100 <= options.goalFalsePer100,
      betterThanBaselineOnBoth: engineHeldOut.detected['+50%']!.all > flaggerHeldOut.detected['+50%']!.all && engineHeldOut.falseRollbacksPer100 < flaggerHeldOut.falseRollbacksPer100,
    },
  };
}

export function printRollbackEval(report: RollbackEval): void {
  const { engine, flagger } = report;
  console.log(`Deploy verdicts: ${report.traces.length} traces, watch = ${report.options.watchSamples} samples, checks at each quarter (engine) or every sample (Flagger-style)`);
  console.log(`leave-one-trace-out: each trace judged with the setting chosen on the others (goal: ≤ ${report.options.goalFalsePer100} false rollback(s) per 100 clean deploys, then most +50 % caught)\n`);
  const row = (label: string, s: Summary) =>
    console.log(
      [label.padEnd(34), `${s.cleanDeploys}`.padStart(6), s.falseRollbacksPer100.toFixed(2).padStart(8), ...sizes.map((z) => pct(s.detected[`+${z * 100}%`]!.all).padStart(9)), pct(s.detected['+50%']!.level).padStart(9), pct(s.detected['+50%']!.multiplicative).padStart(9), s.detected['+50%']!.meanDelayOfWatch.toFixed(2).padStart(8)].join(' '),
    );
  console.log(['', 'clean', 'false/100', '+20 %', '+50 %', '+100 %', '+50% lvl', '+50% mul', 'delay'].map((c, i) => (i === 0 ? c.padEnd(34) : c.padStart(i === 1 ? 6 : i === 2 ? 8 : 9))).join(' '));
  row('engine, held out', engine.heldOut);
  row('Flagger-style, held out', flagger.heldOut);
  row('engine, in-sample', engine.inSample);
  row('Flagger-style, in-sample', flagger.inSample);
  row('engine, each trace tuned on itself', engine.tunedOnItself);
  row(`engine, held out, detectable (${report.detectable.traces.length})`, report.detectable.engine);
  row('Flagger-style, held out, detect.', report.detectable.flagger);
  console.log('  delay: mean time to detect a caught +50 % regression, as a fraction of the watch window');
  console.log(`  ${engine.heldOut.invisibleInjections} level injections added nothing (the level before the deploy was 0) and are not counted; multiplicative ones on the same deploys are`);
  console.log(`\nchosen on all traces: engine ${JSON.stringify(engine.chosenOnAll)}; shipped defaults ${engine.shippedMatchesChoice ? 'match it' : `DIFFER: ${JSON.stringify(engine.shipped)}`}`);
  console.log(`                      Flagger-style ${JSON.stringify(flagger.chosenOnAll)}`);
  console.log('  tuned on itself: a ceiling, not a claim: each trace with the engine setting best on that trace alone');
  console.log('  detectable: the traces where the engine tuned on the trace itself catches at least half of the +50 % steps (the others: +50 % is inside their normal movement)');
  console.log('\nper trace, noise: robust CV of the baseline (1.4826 × MAD / median) | 99th percentile of the clean watch\'s median change (log; log 1.5 = 0.405) | share of clean watches a +50 % step lifts past it | +50 % detectable (tuned on itself ≥ 50 %)');
  engine.perTrace.forEach((e) => console.log(`  ${e.trace.padEnd(56)} ${e.noise.robustCv.toFixed(3).padStart(7)} ${e.noise.cleanChange99.toFixed(3).padStart(8)} ${pct(e.noise.medianCatchable50).padStart(8)}  ${report.detectable.traces.includes(e.trace) ? 'yes' : 'NO'}`));
  console.log('\nper trace (held out): engine false/100, +50 % caught | Flagger false/100, +50 % caught | engine tuned on the trace itself | engine setting chosen without it');
  engine.perTrace.forEach((e, k) => {
    const f = flagger.perTrace[k]!;
    console.log(`  ${e.trace.padEnd(56)} ${e.summary.falseRollbacksPer100.toFixed(1).padStart(5)} ${pct(e.summary.detected['+50%']!.all).padStart(8)} | ${f.summary.falseRollbacksPer100.toFixed(1).padStart(5)} ${pct(f.summary.detected['+50%']!.all).padStart(8)} | ${e.tunedOnItself.falseRollbacksPer100.toFixed(1).padStart(5)} ${pct(e.tunedOnItself.detected['+50%']!.all).padStart(8)} | ${e.chosen.test} α ${e.chosen.alpha} ${e.chosen.effectOf} +${e.chosen.minEffect}${e.chosen.minZ > 0 ? ` z ≥ ${e.chosen.minZ}` : ''} base ${e.chosen.baselineWatches}× ${e.chosen.seasonal ? 'weekly' : 'plain'}${e.chosen.confirmations > 1 ? ` ${e.chosen.confirmations} in a row` : ''}`);
  });
  const g = report.goals;
  console.log(`\ngoals (held out): ≥ 95 % of +50 % caught: ${g.detected50 ? 'met' : 'NOT met'}; ≤ ${report.options.goalFalsePer100} false rollback(s) per 100: ${g.falseRollbacks ? 'met' : 'NOT met'}; better than the baseline on both: ${g.betterThanBaselineOnBoth ? 'yes' : 'no'}`);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
