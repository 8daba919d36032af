/**
 * Checked series → the store, for the HTTP intake and `slipway metrics import` alike. Each series
 * names its repository (`owner/name`); the samples are stored under that repository and its
 * installation, so only that tenant's pull requests read them. A repository Slipway does not know
 * (not installed, removed, or its installation suspended) refuses the whole request before
 * anything is written, and all series go in one transaction: nothing is stored from a refused or
 * failed request.
 */
import type { Db } from '../store/db.ts';
import { insertMetricSeries, type SampleScope } from '../store/metric-samples.ts';
import { findInstalledRepository } from '../store/repositories.ts';
import type { CheckedSeries } from './check-series.ts';
import { IntakeError } from './intake-error.ts';

export async function storeSeries(db: Db, series: CheckedSeries[]): Promise<number> {
  const scopes = new Map<string, SampleScope>();
  for (const { repository } of series) {
    const key = repository.toLowerCase();
    if (scopes.has(key)) continue;
    const row = await findInstalledRepository(db, repository);
    if (!row) {
      throw new IntakeError('unknown_repository', `repository ${repository} is not one Slipway serves: install the App on it first (samples are kept per repository)`);
    }
    scopes.set(key, { installationId: row.installationId, repositoryId: row.id });
  }
  return db.transaction(async (tx) => {
    let written = 0;
    for (const one of series) {
      if (one.times.length === 0) continue;
      written += await insertMetricSeries(tx, { ...scopes.get(one.repository.toLowerCase())!, app: one.app, service: one.service, metric: one.metric, times: one.times, values: one.values });
    }
    return written;
  });
}
