/**
 * The reconcile loop's settings (docs/reconcile.md), read with the rest at start-up. Every one has a
 * default, so a `Settings` built by hand (tests, the CLI) may leave `reconcile` out entirely.
 */
import { z } from 'zod';
import { durationToSeconds } from '../config/units.ts';
import { optionalText } from './settings.ts';

const duration = (fallback: string, what: string) =>
  optionalText
    .pipe(z.string().regex(/^\d+(s|m|h|d)$/, `must be a duration such as 90s, 30m, 6h or 7d (${what})`).optional())
    .transform((v) => durationToSeconds(v ?? fallback) * 1000);

export const ReconcileSettingsEnv = z.object({
  /** `off`: no periodic tick (`slipway reconcile --once` still runs one). */
  SLIPWAY_RECONCILE: optionalText.pipe(z.enum(['on', 'off'], { error: 'must be on or off' }).optional()).transform((v) => v !== 'off'),
  SLIPWAY_RECONCILE_INTERVAL: duration('180s', 'how often a tick runs'),
  SLIPWAY_RECONCILE_JITTER: duration('30s', 'a random delay up to this, added to each tick'),
  SLIPWAY_RECONCILE_RATE_SHARE: optionalText
    .pipe(z.string().regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'must be a share of the remaining rate limit between 0 and 1, such as 0.5').optional())
    .transform((v) => Number(v ?? '0.5')),
  SLIPWAY_RETAIN_DELIVERIES: duration('30d', 'webhook deliveries kept'),
  SLIPWAY_RETAIN_JOBS: duration('7d', 'finished jobs kept'),
  SLIPWAY_RETAIN_LOGS: duration('90d', 'deployment logs kept'),
});

export type ReconcileSettings = {
  enabled: boolean;
  intervalMs: number;
  jitterMs: number;
  /** Of each installation's remaining rate limit, the share one tick may spend. */
  rateShare: number;
  retain: { deliveriesMs: number; jobsMs: number; logsMs: number };
};

export const defaultReconcileSettings: ReconcileSettings = {
  enabled: true,
  intervalMs: 180_000,
  jitterMs: 30_000,
  rateShare: 0.5,
  retain: { deliveriesMs: 30 * 86_400_000, jobsMs: 7 * 86_400_000, logsMs: 90 * 86_400_000 },
};

export function readReconcileSettings(env: Record<string, string | undefined>): { settings?: ReconcileSettings; problems: string[] } {
  const parsed = ReconcileSettingsEnv.safeParse(env);
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => `${String(issue.path[0] ?? '?')} ${issue.message}`) };
  const raw = parsed.data;
  const problems = raw.SLIPWAY_RECONCILE_INTERVAL < 10_000 ? [`SLIPWAY_RECONCILE_INTERVAL must be at least 10s`] : [];
  if (problems.length > 0) return { problems };
  return {
    problems: [],
    settings: {
      enabled: raw.SLIPWAY_RECONCILE,
      intervalMs: raw.SLIPWAY_RECONCILE_INTERVAL,
      jitterMs: raw.SLIPWAY_RECONCILE_JITTER,
      rateShare: raw.SLIPWAY_RECONCILE_RATE_SHARE,
      retain: { deliveriesMs: raw.SLIPWAY_RETAIN_DELIVERIES, jobsMs: raw.SLIPWAY_RETAIN_JOBS, logsMs: raw.SLIPWAY_RETAIN_LOGS },
    },
  };
}
