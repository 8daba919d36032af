import { canonicalize } from './canonical-json.ts';
import { checkReferences } from './check-references.ts';
import { SynthError } from './synth-error.ts';
import type { TerraformJson } from './terraform-json.ts';

/** Key-sorted, literals restored, references checked: the document as every caller sees it. */
export function finishDocument(raw: TerraformJson, what: string): TerraformJson {
  const doc = canonicalize(raw);
  const problems = checkReferences(doc);
  if (problems.length > 0) {
    throw new SynthError(`internal error: the Terraform JSON for ${what} refers to things it does not define:\n  ${problems.join('\n  ')}`, problems);
  }
  return doc;
}
