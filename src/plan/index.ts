/** The plan: what the rest of Slipway imports. */
export { diffTerraform, type DiffOptions } from './diff-terraform.ts';
export { readTerraformPlan, type ReadPlanOptions } from './read-terraform-plan.ts';
export { readTerraformJson } from './read-terraform-json.ts';
export { PlanInputError, type PlanInputErrorCode } from './plan-input-error.ts';
export { forceNewAttributes, forcesReplacement } from './force-new.ts';
export { REDACTED, isSecretName, looksLikeSecret, sensitiveAttributes } from './sensitive.ts';
export { planToTerraformJson } from './plan-to-terraform-json.ts';
export { summarizePlan, emptyPlan } from './summarize-plan.ts';
export { listTerraformEntries, defaultComponentOf, type TerraformJson, type TerraformBlock, type TerraformEntry } from './terraform-json.ts';
export type { Action, AttributeChange, Plan, ResourceChange } from './types.ts';
export type { PlanSource, TerraformPlan, TerraformPlanSource } from './plan-source.ts';
