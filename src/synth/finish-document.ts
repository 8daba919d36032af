import { checkReferences } from './check-references.ts';
import { SynthError } from './synth-error.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';

/**
 * The document as every caller sees it: key-sorted and literals restored (stackToTerraform
 * already returns it so), and with every reference checked.
 */
export function finishDocument(doc: TerraformJson, what: string): TerraformJson {
  const problems = checkReferences(doc);
  if (problems.length > 0) {
    throw new SynthError(`internal error: the Terraform JSON for ${what} refers to things it does not define:\n  ${problems.join('\n  ')}`, problems);
  }
  return doc;
}
