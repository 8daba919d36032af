/**
 * The verdict's tuned settings. Every number here was chosen by leave-one-trace-out
 * cross-validation on real CloudWatch traces (`npm run eval -- --rollback`, bench/eval/rollback.ts):
 * the setting that catches the most +50 % regressions while keeping false rollbacks at or under
 * 1 per 100 clean deploys on the other traces. docs/rollback.md shows the held-out figures.
 * `minZ` and `historyWatches` (the service's own usual movement, history-scale.ts) are an
 * experiment the eval runs with `--history-scale`: it did worse held out, so it ships off (0).
 */
export type VerdictSettings = {
  /** One-sided p-value at or under which "after is higher than before" counts as shown. */
  alpha: number;
  /**
   * Which test shows it: `rank` (Mann–Whitney U: how often an after sample beats a before one) or
   * `sign` (how many after samples are above the baseline's median; a baseline with spikes does
   * not hide a shift of the usual level).
   */
  test: 'rank' | 'sign';
  /** The smallest relative rise that is a regression (0.2: 20 % higher), of the median or of the mean (`effectOf`). */
  minEffect: number;
  /**
   * What the rise is measured on: the median (robust to spikes) or the mean (as Kayenta's judge:
   * it still moves for a metric that is mostly zero, such as errors, where the median stays 0).
   */
  effectOf: 'median' | 'mean';
  /** Samples needed on each side before a metric can be judged at all. */
  minSamples: number;
  /** The baseline before the deploy, as a multiple of the watch window (4: an hour for a 15m watch). */
  baselineWatches: number;
  /** Scale the baseline by how the same hours moved a week earlier (daily and weekly patterns). */
  seasonal: boolean;
  /**
   * How many times its own usual movement the level must have risen (history-scale.ts): the
   * service's history before the deploy replayed at earlier points. 0: not asked.
   */
  minZ: number;
  /** The history the usual movement is measured on, as a multiple of the watch window (24: six hours for a 15m watch). */
  historyWatches: number;
  /**
   * Checks in a row that must show a regression before it counts (1: the first one does). The
   * last check of the watch counts on its own: the watch is over.
   */
  confirmations: number;
};

/** Whether a regression at check `checkpoint` counts, given how many checks in a row (this one included) showed one. */
export function regressionCounts(settings: Pick<VerdictSettings, 'confirmations'>, inARow: number, checkpoint: number): boolean {
  return inARow >= settings.confirmations || checkpoint >= checkpointsPerWatch;
}

/** The checks in a watch window: at each quarter of it (a regression rolls back at the first). */
export const checkpointsPerWatch = 4;

export const defaultVerdictSettings: VerdictSettings = {
  alpha: 0.001,
  test: 'rank',
  minEffect: 0.2,
  effectOf: 'median',
  minSamples: 3,
  baselineWatches: 8,
  seasonal: true,
  minZ: 0,
  historyWatches: 24,
  confirmations: 2,
};
