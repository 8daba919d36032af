/**
 * The samples a check judges: for each service and watched metric, the baseline before the
 * deploy, the watch so far, and both a week earlier, read through an injected `ReadSamples` (the
 * store's, scoped to the app's installation and repository).
 */
import type { ReadSamples } from '../recommend/sources/store-source.ts';
import type { MetricWindows } from './judge-deploy.ts';
import type { TimeWindow, VerdictWindows } from './verdict-windows.ts';

export async function readVerdictWindows(read: ReadSamples, input: { app: string; services: readonly string[]; metrics: readonly string[]; windows: VerdictWindows }): Promise<MetricWindows[]> {
  const values = async (service: string, metric: string, w: TimeWindow) => (await read(input.app, service, metric, new Date(w.from), new Date(w.to))).map((s) => s.value);
  const out: MetricWindows[] = [];
  for (const service of input.services) {
    for (const metric of input.metrics) {
      const [before, after, weekBefore, weekAfter] = await Promise.all([
        values(service, metric, input.windows.before),
        values(service, metric, input.windows.after),
        values(service, metric, input.windows.weekBefore),
        values(service, metric, input.windows.weekAfter),
      ]);
      out.push({ service, metric, before, after, weekBefore, weekAfter });
    }
  }
  return out;
}
