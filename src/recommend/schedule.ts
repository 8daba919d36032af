/**
 * Schedule floors (predictive scaling made explicit). When load repeats daily or weekly, forecast
 * the next week with the seasonal model that backtests on the series' own history choose, turn
 * the forecast into desired tasks and propose `schedule:` entries that raise `min` ahead of the
 * busy hours and lower it after. Only proposed when the model beats seasonal-naive on held-back
 * history (chosen without it): a schedule from a model that cannot predict the held-back week
 * would be guesswork.
 */
import type { ScheduleFloor } from '../config/schema.ts';
import { chooseSeasonalModel } from './choose-seasonal-model.ts';
import { evaluateForecast, forecastWith, type ForecastEvaluation, type ForecastModel } from './forecast.ts';
import { hourMs, median, type Grid } from './grid.ts';
import type { Seasonality } from './seasonality.ts';

export type ScheduleRecommendation = {
  floors: ScheduleFloor[];
  evaluation: ForecastEvaluation;
  /** Mean extra tasks the floors would have run over the history, beyond what autoscaling asked for. */
  extraTasks: number;
};

export type ScheduleOutcome = { schedule?: ScheduleRecommendation; evaluation?: ForecastEvaluation; reason?: string };

export function proposeSchedule(input: {
  /** Hourly mean load (vCPU), anomalies already masked out. */
  hourly: Grid;
  seasonality: Seasonality;
  taskCpu: number;
  target: number;
  min: number;
  max: number;
}): ScheduleOutcome {
  const { seasonality, taskCpu, target, min, max } = input;
  if (seasonality.period === null) return { reason: `no daily or weekly pattern (autocorrelation ${fmt(seasonality.daily)} at 24 h, ${fmt(seasonality.weekly)} at 168 h)` };
  const grid = input.hourly;
  const hours = grid.values.length;
  const period: number = seasonality.period;
  // Hour-of-week medians need two training weeks besides the held-back one; with less, weekdays and weekends.
  const dayType = period === 168 && hours < 3 * 168;
  const holdout = hours >= 168 + (dayType ? 1 : 2) * period ? 168 : 24;
  // The model is chosen by backtests on what precedes the held-back period, then tested on it.
  const choice = dayType ? undefined : chooseSeasonalModel(grid.values.subarray(0, Math.max(0, hours - holdout)), period, holdout);
  const tested = evaluateForecast(grid, period, holdout, choice?.model ?? 'day-type');
  if (!tested) return { reason: 'not enough history to test a forecast on a held-back period' };
  const evaluation: ForecastEvaluation = choice ? { ...tested, backtests: choice.backtests } : tested;
  if (!evaluation.beatsNaive) {
    const chosen = evaluation.model === 'naive' ? ` (backtests on the ${choice?.backtests} earlier periods chose seasonal-naive itself)` : '';
    return { evaluation, reason: `the seasonal model (MAPE ${evaluation.modelMape.toFixed(1)} %) does not beat seasonal-naive (${evaluation.naiveMape.toFixed(1)} %) on the held-back data${chosen}` };
  }

  // The next week: chosen again, now with the held-back period as ordinary history.
  const model: ForecastModel = dayType ? 'day-type' : chooseSeasonalModel(grid.values, period, 168).model;
  const forecast = forecastWith(model, grid, hours, period, 168);
  const toTasks = (vcpu: number) => Math.min(max, Math.max(min, Math.round((vcpu * 100) / (taskCpu * target))));
  const forecastStart = grid.start + hours * hourMs;
  const weekly = period === 168;
  const groups: { days: string; hours: number[][] }[] = weekly
    ? [{ days: '1-5', hours: hoursOfDay() }, { days: '0,6', hours: hoursOfDay() }]
    : [{ days: '*', hours: hoursOfDay() }];
  for (let h = 0; h < 168; h++) {
    if (!Number.isFinite(forecast[h])) continue;
    const date = new Date(forecastStart + h * hourMs);
    const day = date.getUTCDay();
    const group = weekly && (day === 0 || day === 6) ? groups[1] : groups[0];
    group.hours[date.getUTCHours()].push(toTasks(forecast[h]));
  }
  const floors: ScheduleFloor[] = [];
  const floorAt = new Map<string, number>(); // `${group}:${hour}` → floor, for the cost below
  for (const group of groups) {
    const byHour = group.hours.map((list) => (list.length ? Math.round(median(list)) : min));
    const raised = byHour.filter((f) => f > min);
    if (raised.length === 0) continue;
    const high = Math.round(median(raised));
    for (let hour = 0; hour < 24; hour++) {
      const busy = byHour[hour] > min;
      floorAt.set(`${group.days}:${hour}`, busy ? high : min);
      const wasBusy = hour > 0 && byHour[hour - 1] > min;
      if (busy && !wasBusy) floors.push({ cron: `0 ${hour} * * ${group.days}`, min: high });
      if (!busy && wasBusy) floors.push({ cron: `0 ${hour} * * ${group.days}`, min });
    }
  }
  if (floors.length === 0) return { evaluation, reason: 'the forecast never needs more than the recommended min' };

  let extra = 0;
  let counted = 0;
  for (let i = 0; i < hours; i++) {
    const v = grid.values[i];
    if (!Number.isFinite(v)) continue;
    const date = new Date(grid.start + i * hourMs);
    const day = date.getUTCDay();
    const key = `${weekly ? (day === 0 || day === 6 ? '0,6' : '1-5') : '*'}:${date.getUTCHours()}`;
    const floor = floorAt.get(key) ?? min;
    extra += Math.max(0, floor - toTasks(v));
    counted++;
  }
  return { schedule: { floors, evaluation, extraTasks: counted ? extra / counted : 0 }, evaluation };
}

function hoursOfDay(): number[][] {
  return Array.from({ length: 24 }, () => []);
}

function fmt(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(2);
}
