/**
 * `autoscaling.backlogPerInstance` for a worker, from its queue backlog, running tasks and cpu.
 * Scaling on backlog per task reacts to a growing queue before the cpu shows it, so the value to
 * track is the backlog per task at which the fleet runs at the recommended cpu target: for each
 * busy interval (cpu ≥ 10 %, backlog > 0), backlog per task × target / cpu, assuming backlog per
 * task grows in proportion to utilisation; the median of those. A queue that is empty most of
 * the time (fewer than 10 % of intervals with a backlog) is drained as fast as it fills: cpu
 * scaling suffices, and nothing is recommended.
 */
import type { Grid } from './grid.ts';
import { median } from './grid.ts';

export type BacklogRecommendation = {
  current?: number;
  recommended: number;
  /** Busy intervals the median is taken over. */
  samples: number;
};

export function recommendBacklogPerInstance(input: {
  /** Messages waiting, on the load grid. */
  backlog: Grid;
  /** Running tasks on the same grid (or a constant). */
  tasks: Grid | number;
  /** cpu utilisation (percent of the task), on the same grid. */
  cpuPercent: Grid;
  target: number;
  current?: number;
}): BacklogRecommendation | undefined {
  const { backlog, cpuPercent, target } = input;
  const ratios: number[] = [];
  let withBacklog = 0;
  let known = 0;
  for (let i = 0; i < cpuPercent.values.length; i++) {
    const t = cpuPercent.start + i * cpuPercent.stepMs;
    const b = valueAt(backlog, t);
    const tasks = typeof input.tasks === 'number' ? input.tasks : valueAt(input.tasks, t);
    const cpu = cpuPercent.values[i];
    if (!Number.isFinite(b) || !Number.isFinite(cpu) || !(tasks > 0)) continue;
    known++;
    if (b > 0) withBacklog++;
    if (b > 0 && cpu >= 10) ratios.push(((b / tasks) * target) / cpu);
  }
  if (known === 0 || withBacklog < 0.1 * known || ratios.length === 0) return undefined;
  const recommended = Math.max(1, Math.round(median(ratios)));
  return { ...(input.current !== undefined ? { current: input.current } : {}), recommended, samples: ratios.length };
}

function valueAt(grid: Grid, t: number): number {
  const j = Math.round((t - grid.start) / grid.stepMs);
  return j >= 0 && j < grid.values.length ? grid.values[j] : Number.NaN;
}
