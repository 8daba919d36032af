/**
 * What the app page charts: for each open cpu or memory recommendation (at most six), the
 * service's recorded samples over the last 14 days, its configured size (the `spec` the PR job
 * stored with the proposal) and the proposed one (`summary.change.to`).
 */
import type { Db } from '../store/db.ts';
import { readMetricSamples, type SampleScope } from '../store/metric-samples.ts';
import type { Recommendation } from '../store/schema.ts';
import type { MetricChartInput } from './pages/metric-chart.ts';

const days = 14;

type StoredBody = { summary?: { change?: { field?: unknown; to?: unknown } }; spec?: { cpu?: unknown; memoryMiB?: unknown } };

export async function recommendationCharts(db: Db, scope: SampleScope, app: string, recommendations: Recommendation[], now: number): Promise<MetricChartInput[]> {
  const wanted: Array<Omit<MetricChartInput, 'samples'>> = [];
  const seen = new Set<string>();
  for (const r of recommendations) {
    if (r.status !== 'open' || wanted.length >= 6) continue;
    const body = r.body as StoredBody;
    const field = body.summary?.change?.field;
    const to = body.summary?.change?.to;
    if ((field !== 'cpu' && field !== 'memory') || typeof to !== 'number') continue;
    const current = field === 'cpu' ? body.spec?.cpu : body.spec?.memoryMiB;
    if (typeof current !== 'number' || current <= 0 || seen.has(`${r.service}/${field}`)) continue;
    seen.add(`${r.service}/${field}`);
    wanted.push({ service: r.service, metric: field, current, proposed: to, days });
  }
  const from = new Date(now - days * 86_400_000);
  return Promise.all(wanted.map(async (w) => ({ ...w, samples: await readMetricSamples(db, scope, app, w.service, w.metric, from, new Date(now)) })));
}
