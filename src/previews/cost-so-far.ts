/**
 * What a preview has cost: the hours it has been up times its hourly price (monthly / 730, the
 * cost model's month). The price is what was last planned for it; when it changes, or the preview
 * goes away, the cost up to then is banked (`costSoFarUsd`) and the clock restarts.
 */
import { hoursPerMonth } from '../cost/index.ts';
import type { Preview } from '../store/schema.ts';

type Priced = Pick<Preview, 'costSoFarUsd' | 'pricedSince' | 'monthlyUsd'>;

export function costSoFar(preview: Priced, now: Date): number {
  if (!preview.pricedSince || preview.monthlyUsd === null) return preview.costSoFarUsd;
  const hours = Math.max(0, now.getTime() - preview.pricedSince.getTime()) / 3_600_000;
  return preview.costSoFarUsd + (hours * preview.monthlyUsd) / hoursPerMonth;
}

/** The fields that bank the cost so far and price it from now on at `monthly` (null: stopped). */
export function repriced(preview: Priced, monthly: number | null, now: Date): Priced {
  return { costSoFarUsd: costSoFar(preview, now), monthlyUsd: monthly, pricedSince: monthly === null ? null : now };
}
