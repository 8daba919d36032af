/** An environment's drift schedule from its resolved config: minutes between checks (null: off) and heal. */
import type { ResolvedConfig } from './schema.ts';

const minutes: Record<string, number> = { m: 1, h: 60, d: 1440 };
export const defaultDriftEvery = '24h';

export function driftSchedule(config: Pick<ResolvedConfig, 'drift'>): { everyMinutes: number | null; heal: boolean } {
  const every = config.drift?.every ?? defaultDriftEvery;
  return { everyMinutes: every === 'off' ? null : Number(every.slice(0, -1)) * minutes[every.slice(-1)]!, heal: config.drift?.heal ?? false };
}
