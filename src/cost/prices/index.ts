/** The price tables by region. A region not listed here is an error at the caller, never a silent guess. */
import { euCentral1 } from './eu-central-1.ts';
import { euWest1 } from './eu-west-1.ts';
import type { RegionPrices } from './price-types.ts';
import { usEast1 } from './us-east-1.ts';
import { usWest2 } from './us-west-2.ts';

export type { Price, RegionPrices } from './price-types.ts';

export const priceTables: Readonly<Record<string, RegionPrices>> = {
  'us-east-1': usEast1,
  'us-west-2': usWest2,
  'eu-west-1': euWest1,
  'eu-central-1': euCentral1,
};

export const pricedRegions: readonly string[] = Object.keys(priceTables);

/** AWS bills a month as 730 hours. */
export const hoursPerMonth = 730;
