/**
 * The time windows a verdict reads, from the deploy's time, the watch and the check's time: the
 * baseline before the deploy (`baselineWatches` × the watch), since the deploy up to now (at most
 * the watch), both again a week earlier, and the history the service's usual movement is
 * measured on (history-scale.ts; it holds the baseline).
 */
import type { VerdictSettings } from './verdict-settings.ts';

export type TimeWindow = { from: number; to: number };
export type VerdictWindows = { before: TimeWindow; after: TimeWindow; weekBefore: TimeWindow; weekAfter: TimeWindow; history: TimeWindow };

export const weekMs = 7 * 86_400_000;

export function verdictWindows(input: { deployedAt: number; watchMs: number; now: number }, settings: Pick<VerdictSettings, 'baselineWatches' | 'historyWatches'>): VerdictWindows {
  const { deployedAt, watchMs } = input;
  const end = Math.max(deployedAt, Math.min(input.now, deployedAt + watchMs));
  const before = { from: deployedAt - settings.baselineWatches * watchMs, to: deployedAt };
  const after = { from: deployedAt, to: end };
  return {
    before,
    after,
    weekBefore: { from: before.from - weekMs, to: before.to - weekMs },
    weekAfter: { from: after.from - weekMs, to: after.to - weekMs },
    history: { from: deployedAt - Math.max(settings.baselineWatches, settings.historyWatches) * watchMs, to: deployedAt },
  };
}
