/**
 * `diffTerraform`: the plan between the last applied Terraform JSON document and the desired one,
 * without running Terraform. Each resource and data block is compared attribute by attribute;
 * a change to an attribute in the force-new table turns an update into a replace, marked
 * `replaceInferred` so the report can say Terraform did not report it.
 */
import { diffAttributes } from './attribute-changes.ts';
import { sensitiveVariablesOf } from './sensitive.ts';
import { summarizePlan } from './summarize-plan.ts';
import { defaultComponentOf, isRecord, listTerraformEntries, type TerraformBlock, type TerraformEntry, type TerraformJson } from './terraform-json.ts';
import type { Plan, ResourceChange } from './types.ts';

export type DiffOptions = {
  /** The `paas.yaml` component a block belongs to (synthesis's `componentOf`); tags and metadata path by default. */
  componentOf?: (block: TerraformBlock) => string | undefined;
  /** Keep unchanged resources in the plan as `no-op` (default true). */
  includeNoOp?: boolean;
};

// Meta-arguments, not attributes: they do not change the remote object.
const metaArguments = new Set(['//', 'depends_on', 'lifecycle', 'provider', 'count', 'for_each', 'connection', 'provisioner']);
// Attributes holding JSON text: compared as structures so a diff names the field that changed.
const jsonTextAttributes = new Set(['container_definitions', 'policy', 'assume_role_policy', 'access_policy', 'redrive_policy', 'redrive_allow_policy']);

export function diffTerraform(before: TerraformJson | null, after: TerraformJson, options: DiffOptions = {}): Plan {
  const componentOf = options.componentOf ?? defaultComponentOf;
  const includeNoOp = options.includeNoOp ?? true;
  const sensitiveVariables = new Set([...sensitiveVariablesOf(before), ...sensitiveVariablesOf(after)]);
  const old = new Map(listTerraformEntries(before).map((entry) => [entry.address, entry]));
  const resources: ResourceChange[] = [];
  const seen = new Set<string>();
  for (const entry of listTerraformEntries(after)) {
    seen.add(entry.address);
    const change = compare(old.get(entry.address), entry, componentOf, sensitiveVariables);
    if (change.action !== 'no-op' || includeNoOp) resources.push(change);
  }
  for (const [address, entry] of old) {
    if (seen.has(address)) continue;
    resources.push(compare(entry, undefined, componentOf, sensitiveVariables));
  }
  resources.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { source: 'diff', resources, summary: summarizePlan(resources) };
}

function compare(
  before: TerraformEntry | undefined,
  after: TerraformEntry | undefined,
  componentOf: (block: TerraformBlock) => string | undefined,
  sensitiveVariables: Set<string>,
): ResourceChange {
  const entry = (after ?? before)!;
  const diff = diffAttributes({
    type: entry.type,
    sensitiveVariables,
    before: before ? attributes(before.block) : null,
    after: after ? attributes(after.block) : null,
    inferForceNew: true,
  });
  const component = (after && componentOf(after.block)) ?? (before && componentOf(before.block)) ?? undefined;
  const change: ResourceChange = {
    address: entry.address,
    type: entry.type,
    name: entry.name,
    mode: entry.mode,
    action: 'no-op',
    changes: [],
    before: diff.before,
    after: diff.after,
  };
  if (component) change.component = component;
  if (!before) {
    change.action = entry.mode === 'data' ? 'read' : 'create';
    change.changes = diff.changes;
  } else if (!after) {
    if (entry.mode === 'data') change.reason = 'data source removed: nothing to destroy';
    else change.action = 'delete';
  } else if (diff.changes.length > 0) {
    change.changes = diff.changes;
    if (entry.mode === 'data') change.action = 'read';
    else {
      const forcing = diff.changes.filter((c) => c.forcesReplacement).map((c) => c.path);
      if (forcing.length > 0) {
        change.action = 'replace';
        change.replaceInferred = true;
        change.reason = `${unique(forcing.map((p) => p.split('.')[0])).join(', ')} cannot be changed in place`;
      } else change.action = 'update';
    }
  }
  return change;
}

function attributes(block: TerraformBlock): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(block)) {
    if (metaArguments.has(key)) continue;
    out[key] = jsonTextAttributes.has(key) ? parseJsonText(value) : value;
  }
  return out;
}

function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return isRecord(parsed) || Array.isArray(parsed) ? parsed : value;
  } catch {
    return value;
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
