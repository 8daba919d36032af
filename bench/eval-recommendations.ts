/**
 * Evaluation of the recommendation engine on real traces:
 * `npm run eval -- --data DIR [--json] [--false-alarms-per-day R] [--forecast-sweep] [--forecast-level-shift]`;
 * `npm run eval -- --rollback [--data DIR] [--json] [--watch-samples N] [--history-scale] [--goal-false-per-100 X] [--variants]` evaluates deploy verdicts
 * instead (bench/eval/rollback.ts).
 * DIR (default ../shared/data/nab) holds CSV files (`timestamp,value`, any depth) and a
 * `labels.json` mapping each CSV's relative path to labelled anomaly windows `[[from, to], ...]`.
 *
 * Every tuned setting (the detector's minimum window length, merge gap and tail base quantile;
 * the scaler's breach budget and cost tolerance) is chosen by leave-one-trace-out cross-validation: for each trace,
 * the setting a fixed rule picks on the other traces is scored on it. Those held-out figures are
 * the headline; the in-sample ones (the choice on all traces, which the engine ships as its
 * defaults) are beside them. See bench/eval/*.ts for each part and docs/recommendations.md.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultAnomalyOptions } from '../src/recommend/anomalies.ts';
import { defaultBreachBudget, defaultCostTolerance } from '../src/recommend/replicas.ts';
import { anomalyOverall, compareDetectors, type AnomalyResult, type DetectorSettings } from './eval/anomalies.ts';
import { baselineTarget, capacityOverall, peakTasks, replayCapacity, type CapacityResult } from './eval/capacity.ts';
import { anomalyRule, capacityRule, leaveOneOut } from './eval/cross-validate.ts';
import { rollingOriginForecast, type ForecastSummary } from './eval/forecast.ts';
import { forecastSweep } from './eval/forecast-sweep.ts';
import { printLevelShiftSweep } from './eval/level-shift-forecast.ts';
import { defaultEvalOptions, evaluateRollback, printRollbackEval } from './eval/rollback.ts';
import { evaluateVariants, printVariants } from './eval/rollback-variants.ts';
import { loadTraces } from './eval/traces.ts';

const hour = 3_600_000;
/** The grids cross-validation chooses from. */
const detectorGrid: Required<Pick<DetectorSettings, 'minPoints' | 'mergeGapMs' | 'baseQuantile'>>[] = [2, 3].flatMap((minPoints) =>
  [1 * hour, 2 * hour].flatMap((mergeGapMs) => [0.97, 0.98, 0.99].map((baseQuantile) => ({ minPoints, mergeGapMs, baseQuantile }))),
);
const scalerGrid = [0, 0.01, 0.02, 0.05].flatMap((costTolerance) => [0, 0.0025, 0.005, 0.01, 0.02].map((breachBudget) => ({ breachBudget, costTolerance })));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string' }, json: { type: 'boolean' }, 'forecast-sweep': { type: 'boolean' }, 'forecast-level-shift': { type: 'boolean' }, 'false-alarms-per-day': { type: 'string' }, rollback: { type: 'boolean' }, 'watch-samples': { type: 'string' }, 'history-scale': { type: 'boolean' }, 'goal-false-per-100': { type: 'string' }, variants: { type: 'boolean' } } });
  const dir = resolve(values.data ?? '../shared/data/nab');
  if (values.rollback) return await rollbackEval(dir, values.json === true, values['watch-samples'], values['history-scale'] === true, values['goal-false-per-100'], values.variants === true);
  const perDay = values['false-alarms-per-day'] !== undefined ? Number(values['false-alarms-per-day']) : defaultAnomalyOptions.falseAlarmsPerDay;
  if (!(perDay > 0)) throw new Error(`--false-alarms-per-day must be a positive number, got ${values['false-alarms-per-day']}`);
  const { traces, skipped } = await loadTraces(dir);
  if (traces.length < 2) throw new Error(`${dir}: at least two traces are needed to cross-validate (found ${traces.length})`);
  const names = traces.map((t) => t.name);

  // Anomalies: every detector setting on every labelled trace.
  const labelled = traces.filter((t) => t.labels !== undefined);
  const detectors = detectorGrid.map((g) => ({ ...g, falseAlarmsPerDay: perDay }));
  const anomalyRuns: AnomalyResult[][] = detectors.map((d) => labelled.map((t) => compareDetectors(t, d)));
  const rule = anomalyRule(perDay);
  const anomalyFolds = labelled.length >= 2 ? leaveOneOut(labelled.map((t) => t.name), anomalyRuns, rule) : [];
  const anomalyAll = labelled.length > 0 ? rule(anomalyRuns) : indexOfDefaults();
  // The detector setting each capacity fold uses: chosen without its trace, like everything else.
  const detectorFor = (trace: string) => {
    const k = labelled.findIndex((t) => t.name === trace);
    if (k < 0) return anomalyAll;
    return labelled.length >= 2 ? rule(anomalyRuns.map((rows) => rows.filter((_, j) => j !== k))) : anomalyAll;
  };

  // Capacity: every (detector, budget) pair on every trace, computed once.
  const capacityRuns = new Map<string, CapacityResult[]>();
  const capacityOf = (detector: number, budget: number) => {
    const key = `${detector}:${budget}`;
    let rows = capacityRuns.get(key);
    if (!rows) capacityRuns.set(key, (rows = traces.map((t) => replayCapacity(t, { ...scalerGrid[budget], anomaly: detectors[detector] }))));
    return rows;
  };
  const heldOutCapacity = traces.map((t, h) => {
    const detector = detectorFor(t.name);
    const bySetting = scalerGrid.map((_, b) => capacityOf(detector, b).filter((_, k) => k !== h));
    const budget = capacityRule(bySetting);
    return { ...capacityOf(detector, budget)[h], chosen: { detector: detectorGrid[detector], ...scalerGrid[budget] } };
  });
  const allBudget = capacityRule(scalerGrid.map((_, b) => capacityOf(anomalyAll, b)));
  const inSampleCapacity = capacityOf(anomalyAll, allBudget);

  const heldOutAnomalies = anomalyFolds.map((f, h) => ({ ...anomalyRuns[f.setting][h], chosen: detectors[f.setting] }));
  const inSampleAnomalies = anomalyRuns[anomalyAll] ?? [];

  // Forecast: rolling origins over the weeks of nyc_taxi.
  const taxi = traces.find((t) => t.name.endsWith('nyc_taxi.csv'));
  const forecast: ForecastSummary | undefined = taxi ? rollingOriginForecast(taxi) : undefined;
  const forecastNote = !taxi ? 'no nyc_taxi.csv in the data folder: forecast skipped' : forecast ? '' : 'nyc_taxi.csv is too short for rolling-origin weeks: forecast skipped';
  if (taxi && values['forecast-level-shift']) printLevelShiftSweep(taxi);
  if (taxi && values['forecast-sweep']) forecastSweep(taxi.samples, (taxi.labels ?? []).map((l) => [new Date(l.from).toISOString(), new Date(l.to).toISOString()]));

  const shipped = { detector: { minPoints: defaultAnomalyOptions.minPoints, mergeGapMs: defaultAnomalyOptions.mergeGapMs, baseQuantile: defaultAnomalyOptions.baseQuantile }, scaler: { breachBudget: defaultBreachBudget, costTolerance: defaultCostTolerance } };
  const chosenOnAll = { detector: detectorGrid[anomalyAll], scaler: scalerGrid[allBudget] };
  const report = {
    data: dir,
    skipped,
    settings: { falseAlarmsPerDay: perDay, peakTasks, baselineTarget },
    crossValidation: {
      method: 'leave-one-trace-out',
      detectorGrid,
      scalerGrid,
      chosenOnAllTraces: chosenOnAll,
      engineDefaults: shipped,
      defaultsMatchChoice: JSON.stringify(shipped) === JSON.stringify(chosenOnAll),
    },
    capacity: {
      heldOut: heldOutCapacity,
      inSample: inSampleCapacity,
      overall: { heldOut: capacityOverall(heldOutCapacity), inSample: capacityOverall(inSampleCapacity) },
    },
    anomalies: {
      heldOut: heldOutAnomalies,
      inSample: inSampleAnomalies,
      overall: { heldOut: heldOutAnomalies.length > 0 ? anomalyOverall(heldOutAnomalies) : null, inSample: inSampleAnomalies.length > 0 ? anomalyOverall(inSampleAnomalies) : null },
    },
    forecast: forecast ?? null,
    forecastNote,
  };
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  printText(report, names);
}

/** `--rollback`: deploy verdicts against the Flagger-style baseline (bench/eval/rollback.ts). */
async function rollbackEval(dir: string, json: boolean, watchSamples: string | undefined, historyScale: boolean, goal: string | undefined, variants: boolean): Promise<void> {
  const watch = watchSamples === undefined ? defaultEvalOptions.watchSamples : Number(watchSamples);
  if (!Number.isInteger(watch) || watch < 4) throw new Error(`--watch-samples must be an integer of at least 4, got ${watchSamples}`);
  // A service watches several metrics and any one rolls back: 0.25 per metric keeps 4 independent metrics near 1 per 100 deploys.
  const goalFalsePer100 = goal === undefined ? defaultEvalOptions.goalFalsePer100 : Number(goal);
  if (!(goalFalsePer100 > 0 && goalFalsePer100 <= 100)) throw new Error(`--goal-false-per-100 must be a number in (0, 100], got ${goal}`);
  const { traces } = await loadTraces(dir);
  if (traces.length < 2) throw new Error(`${dir}: at least two traces are needed to cross-validate (found ${traces.length})`);
  const options = { ...defaultEvalOptions, watchSamples: watch, historyScale, goalFalsePer100 };
  const report = evaluateRollback(traces, options);
  const tried = variants ? evaluateVariants(traces, options) : undefined;
  if (json) console.log(JSON.stringify({ data: dir, ...report, ...(tried ? { variants: tried } : {}) }, null, 2));
  else {
    printRollbackEval(report);
    if (tried) printVariants(tried);
  }
}

function indexOfDefaults(): number {
  const i = detectorGrid.findIndex((g) => g.minPoints === defaultAnomalyOptions.minPoints && g.mergeGapMs === defaultAnomalyOptions.mergeGapMs && g.baseQuantile === defaultAnomalyOptions.baseQuantile);
  return Math.max(0, i);
}

type Report = {
  data: string;
  skipped: string[];
  settings: { falseAlarmsPerDay: number };
  crossValidation: { chosenOnAllTraces: unknown; engineDefaults: unknown; defaultsMatchChoice: boolean };
  capacity: { heldOut: (CapacityResult & { chosen: { breachBudget: number; costTolerance: number } })[]; inSample: CapacityResult[]; overall: { heldOut: ReturnType<typeof capacityOverall>; inSample: ReturnType<typeof capacityOverall> } };
  anomalies: { heldOut: AnomalyResult[]; inSample: AnomalyResult[]; overall: { heldOut: ReturnType<typeof anomalyOverall> | null; inSample: ReturnType<typeof anomalyOverall> | null } };
  forecast: ForecastSummary | null;
  forecastNote: string;
};

function printText(report: Report, _names: string[]): void {
  const { capacity, anomalies, forecast } = report;
  console.log(`data: ${report.data}${report.skipped.length ? ` (skipped: ${report.skipped.join('; ')})` : ''}`);
  console.log(`cross-validation: leave-one-trace-out; chosen on all traces ${JSON.stringify(report.crossValidation.chosenOnAllTraces)}; engine defaults ${report.crossValidation.defaultsMatchChoice ? 'match it' : `DIFFER: ${JSON.stringify(report.crossValidation.engineDefaults)}`}\n`);
  console.log('Capacity: replay of each trace\'s second half; cost relative to static peak provisioning; breach = load above 80 % of running capacity');
  console.log('  held out: each trace scored with the settings chosen on the other traces; in-sample beside; baseline: target tracking at 70 % with today\'s min and max (1-13)');
  console.log(pad(['trace', 'held-out cost', 'breach', 'budget/tol', 'min', 'max', 'target', 'in-sample cost', 'breach', '70% TT cost', 'breach']));
  capacity.heldOut.forEach((c, k) => {
    const s = capacity.inSample[k];
    console.log(pad([c.trace, pct(c.engine.costVsPeak), pct(c.engine.breachRate, 2), `${c.chosen.breachBudget * 100}/${c.chosen.costTolerance * 100}%`, `${c.engine.min}${c.engine.headroom ? '*' : ''}`, c.engine.max, `${c.engine.target}%`, pct(s.engine.costVsPeak), pct(s.engine.breachRate, 2), pct(c.baseline.costVsPeak), pct(c.baseline.breachRate, 2)]));
  });
  const h = capacity.overall.heldOut;
  const i = capacity.overall.inSample;
  console.log(pad(['overall (interval-weighted)', pct(h.engine.costVsPeak), pct(h.engine.breachRate, 2), '', '', '', '', pct(i.engine.costVsPeak), pct(i.engine.breachRate, 2), pct(h.baseline.costVsPeak), pct(h.baseline.breachRate, 2)]));
  console.log(pad(['worst trace breach', '', pct(h.engine.worstBreach, 2), '', '', '', '', '', pct(i.engine.worstBreach, 2), '', pct(h.baseline.worstBreach, 2)]));
  console.log('  * min raised above what the quiet hours ask for: the series jumps faster than the scaler reacts');

  console.log(`\nAnomalies: labelled windows found and false alarms per day (threshold calibrated per trace to ${report.settings.falseAlarmsPerDay}/day)`);
  console.log(pad(['trace', 'labels', 'held-out found', 'FA/day', 'threshold', 'in-sample found', 'FA/day', '3σ found', '3σ FA/day']));
  anomalies.heldOut.forEach((a, k) => {
    const s = anomalies.inSample[k];
    console.log(pad([a.trace, a.labels, a.engine.found, a.engine.perDay.toFixed(2), a.threshold.toFixed(1), s.engine.found, s.engine.perDay.toFixed(2), a.threeSigma.found, a.threeSigma.perDay.toFixed(2)]));
  });
  const ah = anomalies.overall.heldOut;
  const ai = anomalies.overall.inSample;
  if (ah && ai) console.log(pad(['overall', ah.labels, ah.engine.found, ah.engine.perDay.toFixed(2), '', ai.engine.found, ai.engine.perDay.toFixed(2), ah.threeSigma.found, ah.threeSigma.perDay.toFixed(2)]));

  console.log('\nForecast: rolling origins over weeks, each week forecast whole from its start (engine\'s schedule model vs seasonal-naive)');
  if (!forecast) {
    console.log(`  ${report.forecastNote}`);
    return;
  }
  console.log(`  ${forecast.trace}: ${forecast.weeks} weeks, each with at least ${forecast.minTrainWeeks} weeks of history; model won ${forecast.weeksWon} of ${forecast.weeks} weeks on MAPE`);
  for (const [label, m, gain] of [
    ['MAPE, all points', forecast.mape, forecast.improvement.mape],
    ['MAPE, outside labelled windows', forecast.mapeOutside, forecast.improvement.mapeOutside],
    ['sMAPE', forecast.smape, forecast.improvement.smape],
    ['MASE', forecast.mase, forecast.improvement.mase],
  ] as const) {
    const unit = label === 'MASE' ? '' : ' %';
    console.log(`    ${label.padEnd(32)} model ${m[0].toFixed(2).padStart(7)}${unit}   seasonal-naive ${m[1].toFixed(2).padStart(7)}${unit}   improvement ${pct(gain).padStart(8)}`);
  }
  console.log(`    geometric mean of weekly MAPE ratios (model / naive): ${forecast.improvement.geometricMeanMapeRatio.toFixed(3)} (improvement ${pct(1 - forecast.improvement.geometricMeanMapeRatio)})`);
}

function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)} %`;
}

function pad(cells: (string | number)[]): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(56) : String(c).padStart(11))).join(' ');
}

await main();
