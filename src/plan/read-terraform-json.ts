/** A saved Terraform JSON configuration document (`slipway synth` output, or `cdk.tf.json`), checked. */
import { PlanInputError, parseJsonDocument } from './plan-input-error.ts';
import { isRecord, type TerraformJson } from './terraform-json.ts';

export function readTerraformJson(text: string, file: string): TerraformJson {
  const doc = parseJsonDocument(text, file);
  if (!isRecord(doc)) throw new PlanInputError('not-an-object', file, '$', 'expected a Terraform JSON object with a "resource" block');
  if ('resource_changes' in doc || 'planned_values' in doc) {
    throw new PlanInputError('invalid-field', file, '$', 'this is a `terraform show -json` plan, not a Terraform JSON configuration (use --terraform-plan)');
  }
  for (const section of ['resource', 'data'] as const) {
    const value = doc[section];
    if (value === undefined) continue;
    if (!isRecord(value)) throw new PlanInputError('invalid-field', file, section, 'expected an object of resource types');
    for (const [type, byName] of Object.entries(value)) {
      if (type === '//') continue;
      if (!isRecord(byName)) throw new PlanInputError('invalid-field', file, `${section}.${type}`, 'expected an object of named blocks');
      for (const [name, block] of Object.entries(byName)) {
        if (!isRecord(block)) throw new PlanInputError('invalid-field', file, `${section}.${type}.${name}`, 'expected an object of attributes');
      }
    }
  }
  return doc as TerraformJson;
}
