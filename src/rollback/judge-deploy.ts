/**
 * A deploy's verdict from its service metrics: each watched metric of each service judged after
 * the deploy against a baseline before it (judge-metric.ts), then one answer:
 *  - `regression` when any metric is shown worse by enough: the deploy is rolled back (auto);
 *  - `inconclusive` when a metric recorded before the deploy cannot be judged (too few samples,
 *    or none since the deploy) or nothing was recorded at all: never rolled back;
 *  - `pass` when every metric could be judged and none got worse.
 *
 * The baseline discounts daily and weekly patterns: when the same hours a week earlier are
 * recorded, the baseline is scaled by how much the metric moved then from the hours before to the
 * hours after (a deploy at 8:55 before the morning rush is not blamed for the rush). The factor is
 * held within [0.5, 2]: a week-old incident must not excuse, or invent, a regression.
 *
 * With `minZ` set, the rise must also be large against how much the metric's level moves by
 * itself in the service's own recent history (history-scale.ts): the verdict learns each
 * service's noise instead of one threshold for all.
 */
import { median } from 'simple-statistics';
import { judgeMetric, type MetricEvidence, type MetricVerdict } from './judge-metric.ts';
import { historyScale, type History } from './history-scale.ts';
import { checkpointsPerWatch, type VerdictSettings } from './verdict-settings.ts';

/** One service metric's values in the windows the verdict compares. */
export type MetricWindows = {
  service: string;
  metric: string;
  /** The baseline window right before the deploy. */
  before: ArrayLike<number>;
  /** Since the deploy (up to the end of the watch). */
  after: ArrayLike<number>;
  /** The same two windows a week earlier, when recorded. */
  weekBefore?: ArrayLike<number>;
  weekAfter?: ArrayLike<number>;
  /** The samples before the deploy the service's usual movement is measured on (history-scale.ts), when read. */
  history?: History;
  /** Why the samples could not be read (the source failed): the metric is inconclusive, with this reason. */
  unreadable?: string;
  /** The history's scale when the caller already has it (metricScale): the evaluation replays many settings on one deploy. */
  scale?: number;
};

export type DeployVerdict = {
  verdict: MetricVerdict;
  /** One line: what decided it. */
  reason: string;
  metrics: MetricEvidence[];
  /** Watched metrics never recorded for a service (before or after the deploy): not judged. */
  notRecorded: string[];
};

const factorRange = [0.5, 2] as const;

/** `watchMs`: the watch window, for the history's pseudo-deploys (without it, no history is used). */
export function judgeDeploy(windows: readonly MetricWindows[], settings: VerdictSettings, watchMs?: number): DeployVerdict {
  const metrics: MetricEvidence[] = [];
  const notRecorded: string[] = [];
  for (const w of windows) {
    if (w.unreadable !== undefined) {
      metrics.push({ service: w.service, metric: w.metric, verdict: 'inconclusive', reason: `${w.metric} of ${w.service} could not be read: ${w.unreadable}`, samples: { before: 0, after: 0 } });
      continue;
    }
    if (w.before.length === 0 && w.after.length === 0) {
      notRecorded.push(`${w.metric} of ${w.service}`);
      continue;
    }
    const factor = settings.seasonal ? seasonalFactor(w, settings.minSamples) : undefined;
    const before = factor === undefined ? w.before : Array.from(w.before, (v) => v * factor);
    const scale = settings.minZ > 0 ? (w.scale ?? (watchMs !== undefined ? metricScale(w, settings, watchMs) : undefined)) : undefined;
    metrics.push(judgeMetric({ service: w.service, metric: w.metric, before, after: w.after, ...(factor !== undefined ? { seasonalFactor: factor } : {}), ...(scale !== undefined ? { scale } : {}) }, settings));
  }
  const regressions = metrics.filter((m) => m.verdict === 'regression');
  if (regressions.length > 0) return { verdict: 'regression', reason: regressions.map((m) => m.reason).join('; '), metrics, notRecorded };
  const unsure = metrics.filter((m) => m.verdict === 'inconclusive');
  if (unsure.length > 0) return { verdict: 'inconclusive', reason: unsure.map((m) => m.reason).join('; '), metrics, notRecorded };
  if (metrics.length === 0) {
    return { verdict: 'inconclusive', reason: `no metrics recorded for this deploy (${notRecorded.join(', ') || 'nothing watched'}): nothing to judge`, metrics, notRecorded };
  }
  return { verdict: 'pass', reason: `no watched metric got worse (${metrics.map((m) => `${m.metric} of ${m.service}`).join(', ')})`, metrics, notRecorded };
}

/** The service's usual movement of this metric's level over as many samples as the watch has (history-scale.ts). */
export function metricScale(w: Pick<MetricWindows, 'history' | 'after'>, settings: Pick<VerdictSettings, 'baselineWatches'>, watchMs: number): number | undefined {
  if (!w.history) return undefined;
  return historyScale(w.history, { beforeMs: settings.baselineWatches * watchMs, afterSamples: w.after.length, stepMs: watchMs / checkpointsPerWatch });
}

/** How the metric moved across the same hours a week earlier, or undefined when not recorded. */
function seasonalFactor(w: MetricWindows, minSamples: number): number | undefined {
  if (!w.weekBefore || !w.weekAfter || w.weekBefore.length < minSamples || w.weekAfter.length < minSamples) return undefined;
  const then = median(Array.from(w.weekBefore));
  if (!(then > 0)) return undefined;
  const ratio = median(Array.from(w.weekAfter)) / then;
  return Math.min(factorRange[1], Math.max(factorRange[0], ratio));
}
