/**
 * An environment's `rollback:` settings as the verdict job uses them: the watch in milliseconds
 * and the metrics, with the schema's defaults when paas.yaml says nothing (then `auto` is off:
 * the verdict is still given and reported, nothing is rolled back), and the PromQL of the metrics
 * read from Prometheus.
 */
import { durationToSeconds } from '../config/units.ts';
import { Rollback, type ResolvedConfig, type RollbackMetric } from '../config/schema.ts';

export type RollbackSettings = {
  auto: boolean;
  watchMs: number;
  metrics: RollbackMetric[];
  /** PromQL per metric read from Prometheus rather than the store (`{ name, prometheus }` in the list). */
  prometheus?: Partial<Record<RollbackMetric, string>>;
};

export function rollbackSettings(config: Pick<ResolvedConfig, 'rollback'>): RollbackSettings {
  const rollback = config.rollback ?? Rollback.parse({});
  const metrics = rollback.metrics.map((m) => (typeof m === 'string' ? m : m.name));
  const queries = Object.fromEntries(rollback.metrics.flatMap((m) => (typeof m === 'string' ? [] : [[m.name, m.prometheus]])));
  return { auto: rollback.auto, watchMs: durationToSeconds(rollback.watch) * 1000, metrics, ...(Object.keys(queries).length > 0 ? { prometheus: queries } : {}) };
}
