/**
 * Scaling and cost recommendations for an app, when the store holds metric samples for it
 * (pushed to `/api/v1/metrics` or imported) under this installation and repository: the report's
 * section and the review suggestions on the PR head's paas.yaml lines. Another tenant's app of the
 * same name is never read. No samples, no section.
 */
import type { LoadedApp } from '../config/load.ts';
import { recommendFromStore, toSummary, type RecommendationSummary } from '../recommend/index.ts';
import type { Db } from '../store/db.ts';
import { hasMetricSamples, readMetricSamples, type SampleScope } from '../store/metric-samples.ts';

export async function recommendationsForApp(db: Db, scope: SampleScope, app: LoadedApp, now: Date): Promise<RecommendationSummary[]> {
  if (!(await hasMetricSamples(db, scope, app.config.name))) return [];
  const read = (a: string, service: string, metric: string, from: Date, to: Date) => readMetricSamples(db, scope, a, service, metric, from, to);
  const recs = await recommendFromStore(read, app.config, now.getTime());
  return recs.flatMap((rec) => toSummary(rec, { file: app.file, locate: (path) => app.locate(path), source: app.source }));
}
