/**
 * Terraform's plan names resources by address only; the paas.yaml component each belongs to is in
 * the document it planned (CDKTF's path, the `slipway:component` tag). The plan's resources get
 * the component of the block at the same address, where they have none of their own.
 */
import { listTerraformEntries, type TerraformBlock, type TerraformJson } from './terraform-json.ts';
import type { Plan } from './types.ts';

export function withComponents(plan: Plan, doc: TerraformJson, componentOf: (block: TerraformBlock) => string | undefined): Plan {
  const byAddress = new Map<string, string>();
  for (const entry of listTerraformEntries(doc)) {
    const component = componentOf(entry.block);
    if (component) byAddress.set(entry.address, component);
  }
  return {
    ...plan,
    resources: plan.resources.map((r) => {
      const component = r.component ?? byAddress.get(r.address);
      return component ? { ...r, component } : r;
    }),
  };
}
