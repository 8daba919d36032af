/**
 * The monthly cost of a desired document and its change from the base, as one step: a region
 * without prices (or any other failure of the estimate) is a note, never a failed plan, and the
 * cost then reads as not estimated (no `cost`), so budget rules say "not evaluated" instead of
 * passing on a $0 stand-in. The base is priced in its own region (an environment may move).
 */
import { diffCost } from '../cost/diff-cost.ts';
import { estimateCost, summarizeEstimate, type CostUsage } from '../cost/estimate-cost.ts';
import type { CostDiff, CostEstimate } from '../cost/types.ts';
import { isRecord, type TerraformBlock, type TerraformJson } from '../plan/terraform-json.ts';

export type CostDiffInput = {
  base: TerraformJson | null;
  desired: TerraformJson;
  /** The desired document's region. */
  region: string;
  usage?: CostUsage;
  componentOf?: (block: TerraformBlock) => string | undefined;
};

export type CostDiffResult = { cost?: CostEstimate; costDiff: CostDiff; note?: string };

export function estimateCostDiff(input: CostDiffInput): CostDiffResult {
  const { usage, componentOf } = input;
  try {
    const cost = estimateCost(input.desired, { region: input.region, usage, componentOf });
    const before = input.base ? estimateCost(input.base, { region: regionOf(input.base) ?? input.region, usage, componentOf }) : null;
    return { cost, costDiff: diffCost(before, cost) };
  } catch (error) {
    const none = summarizeEstimate(input.region, []);
    return { costDiff: diffCost(null, none), note: `cost not estimated: ${(error as Error).message}` };
  }
}

/** The AWS provider's region in a document (synthesis always sets it), if any. */
function regionOf(doc: TerraformJson): string | undefined {
  const aws = doc.provider?.aws;
  const first: unknown = Array.isArray(aws) ? aws[0] : aws;
  return isRecord(first) && typeof first.region === 'string' ? first.region : undefined;
}
