/**
 * One side of a plan as a Terraform JSON document, so a `terraform show -json` plan can be costed
 * with the same estimator as a synthesized document. A module resource's block is named by its
 * full address (`module.x.aws_s3_bucket.b`), which listTerraformEntries keeps as the address.
 * Values are the redacted ones.
 */
import type { TerraformJson } from './terraform-json.ts';
import type { Plan } from './types.ts';

export function planToTerraformJson(plan: Plan, side: 'before' | 'after'): TerraformJson {
  const resource: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const r of plan.resources) {
    if (r.mode !== 'managed') continue;
    const values = side === 'before' ? (r.action === 'create' ? null : r.before) : r.action === 'delete' ? null : r.after ?? (r.action === 'no-op' ? r.before : null);
    if (!values) continue;
    const name = r.address.startsWith(`${r.type}.`) ? r.address.slice(r.type.length + 1) : r.address;
    (resource[r.type] ??= {})[name] = values;
  }
  return { resource };
}
