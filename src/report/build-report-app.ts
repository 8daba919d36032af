/**
 * `buildReportApp`: one app's part of a report from two Terraform JSON documents — the plan
 * (last applied → desired) and the cost diff — the same way the CLI and the pull-request worker do it.
 */
import { diffCost } from '../cost/diff-cost.ts';
import { estimateCost, type CostUsage } from '../cost/estimate-cost.ts';
import { diffTerraform } from '../plan/diff-terraform.ts';
import type { TerraformBlock, TerraformJson } from '../plan/terraform-json.ts';
import type { ReportApp } from './report-input.ts';

export type BuildReportAppInput = {
  name: string;
  environment: string;
  /** Last applied document, or null when nothing is deployed yet. */
  before: TerraformJson | null;
  after: TerraformJson;
  region: string;
  /** Region of the last applied document when it differs (an environment moved). */
  beforeRegion?: string;
  usage?: CostUsage;
  componentOf?: (block: TerraformBlock) => string | undefined;
  warnings?: string[];
};

/** Throws `UnknownRegionError` for a region without prices; callers decide whether that is fatal. */
export function buildReportApp(input: BuildReportAppInput): ReportApp {
  const { componentOf, usage } = input;
  const plan = diffTerraform(input.before, input.after, { componentOf });
  const after = estimateCost(input.after, { region: input.region, usage, componentOf });
  const before = input.before ? estimateCost(input.before, { region: input.beforeRegion ?? input.region, usage, componentOf }) : null;
  const app: ReportApp = { name: input.name, environment: input.environment, plan, cost: diffCost(before, after) };
  if (input.warnings && input.warnings.length > 0) app.warnings = input.warnings;
  return app;
}
