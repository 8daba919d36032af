/**
 * us-west-2 on-demand list prices (Linux, USD). For every service this table prices, AWS lists
 * the same figures for US West (Oregon) as for US East (N. Virginia), so the table is us-east-1's
 * with the region changed: one place to correct when a price is re-checked. Re-check them against
 * the pages named in us-east-1.ts before relying on them for billing.
 */
import type { RegionPrices } from './price-types.ts';
import { usEast1 } from './us-east-1.ts';

export const usWest2: RegionPrices = { ...usEast1, region: 'us-west-2' };
