/**
 * Evaluation of the recommendation engine on real traces: `npm run eval -- --data DIR [--json]`.
 * DIR (default ../shared/data/nab) holds CSV files (`timestamp,value`, any depth) and a
 * `labels.json` mapping each CSV's relative path to labelled anomaly windows `[[from, to], ...]`.
 *
 * 1. Capacity. Each trace is demand on a service. A task serves C = (peak of the first half) / 10
 *    of it, so today's service is 13 tasks (ceil(10 / 0.8): the first half's peak at the 80 %
 *    ceiling), autoscaling 1-13. Static provisioning for the whole trace's observed peak is the
 *    cost baseline (13 tasks, or more when the second half peaks higher). The
 *    engine sees the first half of the trace (as cpu utilisation of 13 one-vCPU tasks) and
 *    recommends min, max, a target and schedule floors; the second half is replayed against them
 *    with a target-tracking autoscaler (scale out the next interval, scale in after 15 minutes)
 *    and the floors. Cost = task-intervals over the replay, relative to the static 13.
 *    Breach = an interval where demand exceeds 80 % of the running capacity (the ceiling the
 *    target is chosen to protect); also reported against the recommended target itself.
 * 2. Anomalies. The engine's detector and a plain rolling 3-sigma detector (trailing one day,
 *    same 5-minute grid and the same window merging and minimum length) run on every labelled trace. A labelled
 *    window is found when an alarm window overlaps it; an alarm overlapping no label is false.
 * 3. Forecast. On the last week of nyc_taxi.csv: the engine's seasonal model (chosen by backtests
 *    on the weeks before) vs seasonal-naive (last week repeated), MAPE and sMAPE on the held-back
 *    week, and on the week before it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { anomaliesOfGrid, defaultAnomalyOptions, type AnomalyWindow, type Season } from '../src/recommend/anomalies.ts';
import { cleanSeries } from '../src/recommend/clean-series.ts';
import { chooseSeasonalModel } from '../src/recommend/choose-seasonal-model.ts';
import { blendForecast, forecastWith, mape, profileForecast, seasonalNaive, smape } from '../src/recommend/forecast.ts';
import { toGrid, weekMs } from '../src/recommend/grid.ts';
import { recommendService } from '../src/recommend/recommend-service.ts';
import { utilisationCeiling } from '../src/recommend/replicas.ts';
import { detectSeasonality } from '../src/recommend/seasonality.ts';
import { parseMetricsCsv } from '../src/recommend/sources/parse-metrics-csv.ts';
import { parseTimestamp } from '../src/recommend/sources/parse-timestamp.ts';
import type { Sample } from '../src/recommend/types.ts';

const peakTasks = Math.ceil(10 / (utilisationCeiling / 100));
const fiveMinutes = 300_000;

type CapacityResult = { trace: string; intervals: number; staticTasks: number; costVsPeak: number; saving: number; breachRate: number; breachVsTarget: number; min: number; max: number; target: number; schedule: number; note?: string };
type AnomalyResult = { trace: string; labels: number; days: number; engine: { found: number; falseAlarms: number; perDay: number }; threeSigma: { found: number; falseAlarms: number; perDay: number } };

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string' }, json: { type: 'boolean' }, 'forecast-sweep': { type: 'boolean' } } });
  const dir = resolve(values.data ?? '../shared/data/nab');
  const files = (await listCsv(dir)).sort();
  const labels = JSON.parse(await readFile(join(dir, 'labels.json'), 'utf8').catch(() => '{}')) as Record<string, [string, string][]>;
  const capacity: CapacityResult[] = [];
  const anomalies: AnomalyResult[] = [];
  let forecast: ReturnType<typeof forecastLastWeek>;
  let forecastNote = 'no nyc_taxi.csv in the data folder';
  for (const file of files) {
    const name = relative(dir, file);
    const samples = cleanSeries(parseMetricsCsv(await readFile(file, 'utf8'), name)).samples;
    if (samples.length < 100) continue;
    capacity.push(replayCapacity(name, samples));
    if (labels[name]) anomalies.push(compareDetectors(name, samples, labels[name]));
    if (name.endsWith('nyc_taxi.csv')) {
      forecast = forecastLastWeek(samples, labels[name] ?? []);
      if (values['forecast-sweep']) forecastSweep(samples, labels[name] ?? []);
      forecastNote = forecast ? '' : 'nyc_taxi.csv is too short for a held-back week';
    }
  }
  const overall = summarise(capacity, anomalies);
  const report = { data: dir, peakTasks, capacity, anomalies, forecast: forecast ?? null, forecastNote, overall };
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`data: ${dir}\n`);
  console.log('Capacity (replay of the second half against the recommendation; cost relative to static peak provisioning)');
  console.log(pad(['trace', 'static', 'cost vs peak', 'saving', 'breach>80%', 'breach>target', 'min', 'max', 'target', 'floors']));
  for (const c of capacity) console.log(pad([c.trace, c.staticTasks, pct(c.costVsPeak), pct(c.saving), pct(c.breachRate, 2), pct(c.breachVsTarget, 2), c.min, c.max, `${c.target}%`, c.schedule]));
  console.log(pad(['overall (interval-weighted)', '', pct(overall.costVsPeak), pct(1 - overall.costVsPeak), pct(overall.breachRate, 2), pct(overall.breachVsTarget, 2), '', '', '', '']));
  console.log(`\nAnomalies (labelled windows found; false alarms per day)`);
  console.log(pad(['trace', 'labels', 'engine found', 'engine FA/day', '3σ found', '3σ FA/day']));
  for (const a of anomalies) console.log(pad([a.trace, a.labels, a.engine.found, a.engine.perDay.toFixed(2), a.threeSigma.found, a.threeSigma.perDay.toFixed(2)]));
  console.log(pad(['overall', overall.labels, overall.engineFound, overall.enginePerDay.toFixed(2), overall.sigmaFound, overall.sigmaPerDay.toFixed(2)]));
  console.log(`\nForecast (last week of nyc_taxi, MAPE and sMAPE)`);
  if (forecast) {
    console.log('  whole week ahead from its start; anomalies found by the detector left out of training');
    for (const [week, f] of [['held-back last week', forecast.test], ['validation (the week before)', forecast.validation]] as const) {
      console.log(`  ${week} (${f.trainingAnomalies} anomalous windows left out of training; model ${f.chosen} chosen by ${f.backtests} backtests, their MAPE: ${f.backtestMape})`);
      for (const [label, m] of [['MAPE, all points', f.all], ['MAPE, outside labelled windows', f.outsideLabels], ['sMAPE, all points', f.smapeAll]] as const) {
        console.log(`    ${label.padEnd(32)} model ${m.model.toFixed(2).padStart(6)} %   seasonal-naive ${m.naive.toFixed(2).padStart(6)} %   improvement ${pct(1 - m.model / m.naive).padStart(7)}   (${m.points} points)`);
      }
    }
  } else console.log(`  ${forecastNote}`);
}

function replayCapacity(trace: string, samples: Sample[]): CapacityResult {
  const half = Math.floor(samples.length / 2);
  const train = samples.slice(0, half);
  const replay = samples.slice(half);
  // Task size from what was known when recommending: the training half's peak.
  let trainPeak = 0;
  for (const s of train) trainPeak = Math.max(trainPeak, s.v);
  let peak = 0;
  for (const s of samples) peak = Math.max(peak, s.v);
  const unit = trainPeak / 10 || 1; // demand one task serves at 100 %
  const staticTasks = Math.ceil(peak / unit / (utilisationCeiling / 100)); // hindsight: the whole trace's peak
  const spec = { app: 'eval', service: 'trace', cpu: 1, memoryMiB: 2048, instances: { min: 1, max: peakTasks }, region: 'us-east-1' };
  const cpu = train.map((s) => ({ t: s.t, v: (s.v / (unit * peakTasks)) * 100 }));
  const instances = train.map((s) => ({ t: s.t, v: peakTasks }));
  const rec = recommendService(spec, { cpu, instances });
  if (rec.status !== 'ok' || !rec.instances) {
    return { trace, intervals: replay.length, costVsPeak: 1, saving: 0, staticTasks, breachRate: 0, breachVsTarget: 0, min: peakTasks, max: peakTasks, target: 80, schedule: 0, note: rec.reason ?? 'no recommendation: kept peak provisioning' };
  }
  const { min, max, target } = rec.instances.recommended;
  const floors = (rec.schedule?.floors ?? []).map(parseFloor);
  const desired = (d: number) => Math.ceil((d / unit) * (100 / target) - 1e-9);
  let tasks = 0;
  let breaches = 0;
  let breachesVsTarget = 0;
  const recent: number[] = [];
  let running = Math.min(max, Math.max(min, desired(train[train.length - 1].v)));
  for (const s of replay) {
    const floor = floorAt(floors, s.t) ?? min;
    const capacity = Math.max(running, floor);
    tasks += capacity;
    if (s.v > (utilisationCeiling / 100) * unit * capacity) breaches++;
    if (s.v > (target / 100) * unit * capacity) breachesVsTarget++;
    // The autoscaler acts on what it saw: out at once, in only after 15 minutes below.
    recent.push(Math.min(max, Math.max(min, desired(s.v))));
    if (recent.length > 3) recent.shift();
    running = Math.max(...recent);
  }
  const costVsPeak = tasks / (staticTasks * replay.length);
  return { trace, intervals: replay.length, staticTasks, costVsPeak, saving: 1 - costVsPeak, breachRate: breaches / replay.length, breachVsTarget: breachesVsTarget / replay.length, min, max, target, schedule: floors.length };
}

type Floor = { hour: number; days: number[]; min: number };

function parseFloor(floor: { cron: string; min?: number }): Floor {
  const [, hour, , , days] = floor.cron.split(' ');
  const daySet = days === '*' ? [0, 1, 2, 3, 4, 5, 6] : days.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, k) => a + k);
  });
  return { hour: Number(hour), days: daySet, min: floor.min ?? 0 };
}

/** The floor in force at `t`: the latest entry at or before t within the past week. */
function floorAt(floors: Floor[], t: number): number | undefined {
  if (floors.length === 0) return undefined;
  const date = new Date(t);
  const now = date.getUTCDay() * 24 + date.getUTCHours();
  let best: { age: number; min: number } | undefined;
  for (const f of floors) {
    for (const d of f.days) {
      const age = (now - (d * 24 + f.hour) + 168) % 168;
      if (!best || age < best.age) best = { age, min: f.min };
    }
  }
  return best?.min;
}

/**
 * As the engine does for schedules: the detector's anomalies are left out of the training weeks,
 * then the model that rolling-origin backtests over the last four training weeks choose (the
 * median of each half-hour-of-week over the last four weeks, level-adjusted; its mean with
 * seasonal-naive; or seasonal-naive) forecasts a whole week ahead (one forecast at the week's
 * start, the horizon a schedule is built for); seasonal-naive repeats the last training week as it was. Both on the same points. Scored on the
 * held-back last week (nothing is fitted on it) and, as a validation week, on the week before it
 * (trained on what precedes that week only). MAPE over every point, MAPE outside the labelled
 * anomaly windows, and sMAPE over every point (the last week of nyc_taxi holds the January 2015
 * blizzard, when taxi counts fell to single digits and MAPE explodes for any forecast).
 */
function forecastLastWeek(samples: Sample[], windows: [string, string][]) {
  const step = cleanSeries(samples).stepMs;
  const grid = toGrid(samples, step);
  const period = Math.round(weekMs / step);
  const n = grid.values.length;
  if (n < 4 * period) return undefined;
  const labelled = windows.map(([a, b]) => ({ from: parseTimestamp(a)!, to: parseTimestamp(b)! }));
  const weekFrom = (end: number) => {
    const train = grid.values.slice(0, end);
    const actual = grid.values.subarray(end, end + period);
    const found = anomaliesOfGrid({ start: grid.start, stepMs: step, values: train }, { season: 'week' });
    for (let i = 0; i < train.length; i++) {
      const t = grid.start + i * step;
      if (found.some((w) => t >= w.from && t < w.to)) train[i] = Number.NaN;
    }
    // chooseSeasonalModel and forecastWith read train only: the week scored is never seen.
    const choice = chooseSeasonalModel(train, period, period);
    const model = forecastWith(choice.model, { start: grid.start, stepMs: step, values: train }, end, period, period);
    const naive = seasonalNaive(grid.values.subarray(0, end), period, period);
    const normal = (i: number) => !labelled.some((l) => grid.start + (end + i) * step >= l.from && grid.start + (end + i) * step < l.to);
    const score = (f: typeof mape, mask?: (i: number) => boolean) => ({ model: f(actual, model, mask).value, naive: f(actual, naive, mask).value, points: f(actual, model, mask).points });
    const backtestMape = Object.entries(choice.mape).map(([m, v]) => `${m} ${v.toFixed(2)} %`).join(', ');
    return { trainingAnomalies: found.length, chosen: choice.model, backtests: choice.backtests, backtestMape, all: score(mape), outsideLabels: score(mape, normal), smapeAll: score(smape) };
  };
  return { test: weekFrom(n - period), validation: weekFrom(n - 2 * period) };
}

/**
 * `--forecast-sweep`: alternative models, each scored on every earlier week with eight weeks of
 * history before it (rolling origins), on the validation week (the week before the held-back one,
 * trained on what precedes it) and on the held-back week. A candidate is chosen by its validation
 * score, or by its mean over the earlier weeks; never by the held-back week. `ew a c`: exponentially weighted mean of the same slot over the last
 * c weeks (weight a(1−a)^k for k weeks back; a = 1 is seasonal-naive). `median c lp`: the engine's
 * profile with c weeks and level power lp. `day-ahead ew a lp`: each day forecast at its own start
 * by `ew a 6` × (last day's actual / last day's ew backcast)^lp: a one-day horizon, scored against
 * seasonal-naive on the same points (seasonal-naive is the same at one-day and one-week horizons).
 */
function forecastSweep(samples: Sample[], windows: [string, string][]): void {
  const step = cleanSeries(samples).stepMs;
  const grid = toGrid(samples, step);
  const period = Math.round(weekMs / step);
  const day = period / 7;
  const n = grid.values.length;
  const labelled = windows.map(([a, b]) => ({ from: parseTimestamp(a)!, to: parseTimestamp(b)! }));
  const maskedCache = new Map<number, Float64Array>(); // read-only: no candidate writes to its training data
  const masked = (end: number) => {
    const cached = maskedCache.get(end);
    if (cached) return cached;
    const train = grid.values.slice(0, end);
    const found = anomaliesOfGrid({ start: grid.start, stepMs: step, values: train }, { season: 'week' });
    for (let i = 0; i < end; i++) if (found.some((w) => grid.start + i * step >= w.from && grid.start + i * step < w.to)) train[i] = Number.NaN;
    maskedCache.set(end, train);
    return train;
  };
  const ew = (train: Float64Array, a: number, cycles: number) => {
    const out = new Float64Array(period);
    for (let k = 0; k < period; k++) {
      let sum = 0;
      let weight = 0;
      for (let c = 0; c < cycles; c++) {
        const i = train.length - period * (c + 1) + k;
        if (i >= 0 && Number.isFinite(train[i])) { sum += a * (1 - a) ** c * train[i]; weight += a * (1 - a) ** c; }
      }
      out[k] = weight > 0 ? sum / weight : Number.NaN;
    }
    return out;
  };
  const dayAhead = (start: number, a: number, lp: number) => {
    const out = new Float64Array(period);
    for (let d = 0; d < 7; d++) {
      const end = start + d * day;
      const train = masked(end);
      const profile = ew(train, a, 6);
      const back = ew(train.subarray(0, end - day), a, 6);
      let recent = 0;
      let base = 0;
      for (let j = 0; j < day; j++) if (Number.isFinite(train[end - day + j]) && Number.isFinite(back[j])) { recent += train[end - day + j]; base += back[j]; }
      const level = recent > 0 && base > 0 ? (recent / base) ** lp : 1;
      for (let k = 0; k < day; k++) out[d * day + k] = profile[k] * level;
    }
    return out;
  };
  const candidates: [string, (end: number) => Float64Array][] = [
    ['engine (backtest choice)', (end) => { const train = masked(end); return forecastWith(chooseSeasonalModel(train, period, period).model, { start: grid.start, stepMs: step, values: train }, end, period, period); }],
    ['blend (median 4 0.5, naive)', (end) => blendForecast(masked(end), period, period)],
    ...[2, 3, 4].flatMap((c) => [0, 0.5].map((lp): [string, (end: number) => Float64Array] => [`median ${c} ${lp}`, (end) => profileForecast(masked(end), period, period, c, lp)])),
    ...[0.5, 0.7, 0.9].map((a): [string, (end: number) => Float64Array] => [`ew ${a} 6`, (end) => ew(masked(end), a, 6)]),
    ...[0.25, 0.5].flatMap((lp) => [0.5, 0.7].map((a): [string, (end: number) => Float64Array] => [`day-ahead ew ${a} ${lp}`, (end) => dayAhead(end, a, lp)])),
  ];
  const score = (end: number, forecast: Float64Array) => {
    const actual = grid.values.subarray(end, end + period);
    const naive = seasonalNaive(grid.values.subarray(0, end), period, period);
    const normal = (i: number) => !labelled.some((l) => grid.start + (end + i) * step >= l.from && grid.start + (end + i) * step < l.to);
    const gain = (f: typeof mape, mask?: (i: number) => boolean) => 1 - f(actual, forecast, mask).value / f(actual, naive, mask).value;
    return { outside: gain(mape, normal), all: gain(mape), smape: gain(smape) };
  };
  // Rolling origins: every earlier week with at least eight weeks of history before it.
  const earlier: number[] = [];
  for (let end = n - 3 * period; end >= 8 * period; end -= period) earlier.push(end);
  console.log('\nForecast sweep (improvement over seasonal-naive, MAPE outside labelled windows unless noted)');
  console.log(`  earlier weeks: mean improvement and weeks won over the ${earlier.length} weeks before the validation week, each forecast from its own start`);
  console.log(`  ${'candidate'.padEnd(28)} ${'earlier weeks'.padStart(14)} ${'valid. MAPE out'.padStart(16)} ${'test MAPE out'.padStart(14)} ${'test MAPE all'.padStart(14)} ${'test sMAPE'.padStart(11)}`);
  let best: { name: string; validation: number } | undefined;
  let bestEarlier: { name: string; mean: number } | undefined;
  for (const [name, forecast] of candidates) {
    const gains = earlier.map((end) => score(end, forecast(end)).outside);
    const mean = gains.reduce((sum, g) => sum + g, 0) / gains.length;
    const won = gains.filter((g) => g > 0).length;
    const validation = score(n - 2 * period, forecast(n - 2 * period));
    const test = score(n - period, forecast(n - period));
    // A day-ahead forecast is shown for reference only: a static weekly schedule cannot use it.
    const eligible = !name.startsWith('day-ahead');
    if (eligible && (!best || validation.outside > best.validation)) best = { name, validation: validation.outside };
    if (eligible && (!bestEarlier || mean > bestEarlier.mean)) bestEarlier = { name, mean };
    console.log(`  ${name.padEnd(28)} ${`${pct(mean)} ${won}/${gains.length}`.padStart(14)} ${pct(validation.outside).padStart(16)} ${pct(test.outside).padStart(14)} ${pct(test.all).padStart(14)} ${pct(test.smape).padStart(11)}`);
  }
  console.log(`  chosen (week-ahead candidates only) on the validation week: ${best?.name}; on the earlier weeks: ${bestEarlier?.name}`);
}

function compareDetectors(trace: string, samples: Sample[], windows: [string, string][]): AnomalyResult {
  const step = Math.max(fiveMinutes, cleanSeries(samples).stepMs);
  const grid = toGrid(samples, step);
  const seasonality = detectSeasonality(samples);
  const span = samples[samples.length - 1].t - samples[0].t;
  const season: Season = seasonality.period === 168 ? (span >= 3 * weekMs ? 'week' : 'day-type') : seasonality.period === 24 ? 'day' : 'none';
  const engine = anomaliesOfGrid(grid, { season });
  const sigma = threeSigma(grid.values, grid.start, step);
  const labelled = windows.map(([a, b]) => ({ from: parseTimestamp(a)!, to: parseTimestamp(b)! }));
  const days = span / 86_400_000;
  return { trace, labels: labelled.length, days, engine: score(engine, labelled, days), threeSigma: score(sigma, labelled, days) };
}

/** Plain rolling 3-sigma: mean and standard deviation of the trailing day; the same merging as the engine. */
function threeSigma(values: Float64Array, start: number, step: number): AnomalyWindow[] {
  const window = Math.round(86_400_000 / step);
  const flags: { t: number; v: number; z: number }[] = [];
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (count >= window / 2) {
      const mean = sum / count;
      const sd = Math.sqrt(Math.max(0, sumSq / count - mean * mean));
      if (Number.isFinite(values[i]) && sd > 0 && Math.abs(values[i] - mean) > 3 * sd) flags.push({ t: start + i * step, v: values[i], z: (values[i] - mean) / sd });
    }
    if (Number.isFinite(values[i])) { sum += values[i]; sumSq += values[i] ** 2; count++; }
    const old = i - window;
    if (old >= 0 && Number.isFinite(values[old])) { sum -= values[old]; sumSq -= values[old] ** 2; count--; }
  }
  const out: AnomalyWindow[] = [];
  let current: (AnomalyWindow & { points: number }) | undefined;
  const flush = () => { if (current && current.points >= defaultAnomalyOptions.minPoints) { const { points: _p, ...w } = current; out.push(w); } current = undefined; };
  for (const f of flags) {
    if (current && f.t - current.to > defaultAnomalyOptions.mergeGapMs) flush();
    current ??= { from: f.t, to: f.t + step, score: Math.abs(f.z), peak: f.v, direction: f.z > 0 ? 'high' : 'low', points: 0 };
    current.points++;
    current.to = f.t + step;
  }
  flush();
  return out;
}

function score(alarms: AnomalyWindow[], labels: { from: number; to: number }[], days: number) {
  const overlaps = (a: { from: number; to: number }, b: { from: number; to: number }) => a.from < b.to && b.from < a.to;
  const found = labels.filter((l) => alarms.some((a) => overlaps(a, l))).length;
  const falseAlarms = alarms.filter((a) => !labels.some((l) => overlaps(a, l))).length;
  return { found, falseAlarms, perDay: falseAlarms / days };
}

function summarise(capacity: CapacityResult[], anomalies: AnomalyResult[]) {
  const intervals = capacity.reduce((s, c) => s + c.intervals, 0);
  const weighted = (f: (c: CapacityResult) => number) => capacity.reduce((s, c) => s + f(c) * c.intervals, 0) / intervals;
  const days = anomalies.reduce((s, a) => s + a.days, 0);
  return {
    costVsPeak: weighted((c) => c.costVsPeak),
    breachRate: weighted((c) => c.breachRate),
    breachVsTarget: weighted((c) => c.breachVsTarget),
    labels: anomalies.reduce((s, a) => s + a.labels, 0),
    engineFound: anomalies.reduce((s, a) => s + a.engine.found, 0),
    enginePerDay: anomalies.reduce((s, a) => s + a.engine.falseAlarms, 0) / days,
    sigmaFound: anomalies.reduce((s, a) => s + a.threeSigma.found, 0),
    sigmaPerDay: anomalies.reduce((s, a) => s + a.threeSigma.falseAlarms, 0) / days,
  };
}

async function listCsv(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? listCsv(join(dir, e.name)) : Promise.resolve(e.name.endsWith('.csv') ? [join(dir, e.name)] : []))));
  return nested.flat();
}

function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)} %`;
}

function pad(cells: (string | number)[]): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(52) : String(c).padStart(13))).join(' ');
}

await main();
