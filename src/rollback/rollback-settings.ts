/**
 * An environment's `rollback:` settings as the verdict job uses them: the watch in milliseconds
 * and the metrics, with the schema's defaults when paas.yaml says nothing (then `auto` is off:
 * the verdict is still given and reported, nothing is rolled back).
 */
import { durationToSeconds } from '../config/units.ts';
import { Rollback, type ResolvedConfig, type RollbackMetric } from '../config/schema.ts';

export type RollbackSettings = { auto: boolean; watchMs: number; metrics: RollbackMetric[] };

export function rollbackSettings(config: Pick<ResolvedConfig, 'rollback'>): RollbackSettings {
  const rollback = config.rollback ?? Rollback.parse({});
  return { auto: rollback.auto, watchMs: durationToSeconds(rollback.watch) * 1000, metrics: [...rollback.metrics] };
}
