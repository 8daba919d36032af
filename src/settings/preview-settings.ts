/**
 * Server-wide preview settings (docs/previews.md), read with the rest at start-up:
 *  - `SLIPWAY_PREVIEW_MAX_MONTHLY`: USD a month any one preview may cost on this server, whatever
 *    its paas.yaml says (the smaller of the two caps applies);
 *  - `SLIPWAY_PREVIEW_DESTROY_RETRY`: how long after a destroy that did not finish it is tried
 *    again (doubling each time, at most a day).
 */
import { z } from 'zod';
import { durationToSeconds } from '../config/units.ts';
import { optionalText } from './settings.ts';

export const PreviewSettingsEnv = z.object({
  SLIPWAY_PREVIEW_MAX_MONTHLY: optionalText
    .pipe(z.string().regex(/^\d+(\.\d+)?$/, 'must be USD a month, such as 50 or 12.5').optional())
    .transform((v) => (v === undefined ? undefined : Number(v))),
  SLIPWAY_PREVIEW_DESTROY_RETRY: optionalText
    .pipe(z.string().regex(/^\d+(s|m|h|d)$/, 'must be a duration such as 90s, 10m or 1h').optional())
    .transform((v) => durationToSeconds(v ?? '10m') * 1000),
});

export type PreviewSettings = { maxMonthlyUsd?: number; destroyRetryMs: number };

export const defaultPreviewSettings: PreviewSettings = { destroyRetryMs: 600_000 };

export function readPreviewSettings(env: Record<string, string | undefined>): { settings?: PreviewSettings; problems: string[] } {
  const parsed = PreviewSettingsEnv.safeParse(env);
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => `${String(issue.path[0] ?? '?')} ${issue.message}`) };
  const raw = parsed.data;
  return { settings: { ...(raw.SLIPWAY_PREVIEW_MAX_MONTHLY !== undefined ? { maxMonthlyUsd: raw.SLIPWAY_PREVIEW_MAX_MONTHLY } : {}), destroyRetryMs: raw.SLIPWAY_PREVIEW_DESTROY_RETRY }, problems: [] };
}
