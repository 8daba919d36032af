/**
 * The samples a check judges: for each service and watched metric, the baseline before the
 * deploy (the tail of the history before it), the watch so far, and both a week earlier, read through an injected `ReadSamples` (the
 * store's, scoped to the app's installation and repository).
 */
import { MetricsInputError } from '../recommend/sources/metrics-input-error.ts';
import type { ReadSamples } from '../recommend/sources/store-source.ts';
import type { MetricWindows } from './judge-deploy.ts';
import type { TimeWindow, VerdictWindows } from './verdict-windows.ts';

export async function readVerdictWindows(read: ReadSamples, input: { app: string; services: readonly string[]; metrics: readonly string[]; windows: VerdictWindows }): Promise<MetricWindows[]> {
  const samples = (service: string, metric: string, w: TimeWindow) => read(input.app, service, metric, new Date(w.from), new Date(w.to));
  const values = async (service: string, metric: string, w: TimeWindow) => (await samples(service, metric, w)).map((s) => s.value);
  const out: MetricWindows[] = [];
  for (const service of input.services) {
    for (const metric of input.metrics) {
      let read;
      try {
        read = await Promise.all([
          samples(service, metric, input.windows.history),
          values(service, metric, input.windows.after),
          values(service, metric, input.windows.weekBefore),
          values(service, metric, input.windows.weekAfter),
        ]);
      } catch (error) {
        // A source that cannot be read (Prometheus down, a bad query) leaves this metric unjudged, said plainly.
        if (!(error instanceof MetricsInputError)) throw error;
        out.push({ service, metric, before: [], after: [], unreadable: error.message });
        continue;
      }
      const [history, after, weekBefore, weekAfter] = read;
      // The baseline is the history's tail: one read for both.
      const from = input.windows.before.from;
      const before = history.filter((s) => s.at.getTime() >= from).map((s) => s.value);
      out.push({ service, metric, before, after, weekBefore, weekAfter, history: { times: history.map((s) => s.at.getTime()), values: history.map((s) => s.value) } });
    }
  }
  return out;
}
