/** Cost: what the rest of Slipway imports. */
export { estimateCost, summarizeEstimate, unassigned, UnknownRegionError, type CostUsage, type EstimateOptions, type UsageFigures } from './estimate-cost.ts';
export { diffCost } from './diff-cost.ts';
export { priceTables, pricedRegions, hoursPerMonth, type Price, type RegionPrices } from './prices/index.ts';
export { freeTypes } from './free-types.ts';
export { runsPerMonth } from './runs-per-month.ts';
export type { CostComponent, CostDiff, CostDiffLine, CostEstimate, CostLine } from './types.ts';
