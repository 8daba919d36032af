/**
 * Scaling and cost recommendations for an app, when the store holds metric samples for it
 * (pushed to `/api/v1/metrics` or imported): the report's section and the review suggestions on
 * the PR head's paas.yaml lines. No samples, no section.
 */
import type { LoadedApp } from '../config/load.ts';
import { recommendFromStore, toSummary, type RecommendationSummary } from '../recommend/index.ts';
import type { Db } from '../store/db.ts';
import { hasMetricSamples, readMetricSamples } from '../store/metric-samples.ts';

export async function recommendationsForApp(db: Db, app: LoadedApp, now: Date): Promise<RecommendationSummary[]> {
  if (!(await hasMetricSamples(db, app.config.name))) return [];
  const read = (a: string, service: string, metric: string, from: Date, to: Date) => readMetricSamples(db, a, service, metric, from, to);
  const recs = await recommendFromStore(read, app.config, now.getTime());
  return recs.flatMap((rec) => toSummary(rec, { file: app.file, locate: (path) => app.locate(path), source: app.source }));
}
