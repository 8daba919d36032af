/**
 * `readTerraformPlan`: the JSON output of `terraform show -json <planfile>` into the plan model.
 * Follows https://developer.hashicorp.com/terraform/internals/json-format: format_version 0.1
 * through 1.x (the major version changes only on incompatible changes, so any 1.x is read);
 * unknown fields are ignored, as that page asks of consumers.
 */
import { diffAttributes } from './attribute-changes.ts';
import { PlanInputError, parseJsonDocument } from './plan-input-error.ts';
import { summarizePlan } from './summarize-plan.ts';
import { defaultComponentOf, isRecord, type TerraformBlock } from './terraform-json.ts';
import type { Action, Plan, ResourceChange } from './types.ts';

export type ReadPlanOptions = {
  componentOf?: (block: TerraformBlock) => string | undefined;
  /** Keep `no-op` resources (default true). */
  includeNoOp?: boolean;
};

// action_reason values: https://developer.hashicorp.com/terraform/internals/json-format#change-representation
const reasons: Record<string, string> = {
  replace_because_tainted: 'the object is tainted',
  replace_because_cannot_update: 'an attribute cannot be updated in place',
  replace_by_request: 'replacement requested (-replace)',
  replace_by_triggers: 'replace_triggered_by',
  delete_because_no_resource_config: 'removed from the configuration',
  delete_because_no_module: 'its module was removed',
  delete_because_wrong_repetition: 'count/for_each changed',
  delete_because_count_index: 'count was reduced',
  delete_because_each_key: 'for_each key was removed',
  delete_because_no_move_target: 'moved to an address that does not exist',
  read_because_config_unknown: 'configuration depends on values not yet known',
  read_because_dependency_pending: 'a dependency has pending changes',
  read_because_check_nested: 'read by a check block',
};

export function readTerraformPlan(text: string, file: string, options: ReadPlanOptions = {}): Plan {
  const doc = parseJsonDocument(text, file);
  if (!isRecord(doc)) throw new PlanInputError('not-an-object', file, '$', 'expected the JSON object printed by `terraform show -json`');
  const version = doc.format_version;
  if (typeof version !== 'string') throw new PlanInputError('invalid-field', file, 'format_version', 'missing: is this `terraform show -json` output?');
  if (!/^(0|1)\.\d+$/.test(version)) {
    throw new PlanInputError('unsupported-format', file, 'format_version', `unsupported format_version "${version}" (0.1 through 1.x are read)`);
  }
  const list = doc.resource_changes ?? [];
  if (!Array.isArray(list)) throw new PlanInputError('invalid-field', file, 'resource_changes', 'expected an array');
  const componentOf = options.componentOf ?? defaultComponentOf;
  const resources: ResourceChange[] = [];
  list.forEach((raw, index) => {
    const change = readResourceChange(raw, `resource_changes[${index}]`, file, componentOf);
    if (change && (change.action !== 'no-op' || options.includeNoOp !== false)) resources.push(change);
  });
  return { source: 'terraform', resources, summary: summarizePlan(resources) };
}

function readResourceChange(
  raw: unknown,
  at: string,
  file: string,
  componentOf: (block: TerraformBlock) => string | undefined,
): ResourceChange | undefined {
  if (!isRecord(raw)) throw new PlanInputError('invalid-field', file, at, 'expected an object');
  const field = (name: string): string => {
    const value = raw[name];
    if (typeof value !== 'string' || value === '') throw new PlanInputError('invalid-field', file, `${at}.${name}`, 'expected a non-empty string');
    return value;
  };
  const address = field('address');
  const type = field('type');
  const name = field('name');
  const mode = raw.mode ?? 'managed';
  if (mode !== 'managed' && mode !== 'data') throw new PlanInputError('invalid-field', file, `${at}.mode`, `unknown mode "${String(mode)}" (managed or data)`);
  const change = raw.change;
  if (!isRecord(change)) throw new PlanInputError('invalid-field', file, `${at}.change`, 'expected an object');
  const action = readActions(change.actions, `${at}.change.actions`, file);
  const before = optionalObject(change.before, `${at}.change.before`, file);
  const after = optionalObject(change.after, `${at}.change.after`, file);
  const replacePaths = readReplacePaths(change.replace_paths, `${at}.change.replace_paths`, file);
  const diff = diffAttributes({
    type,
    before: action === 'create' || action === 'read' ? null : before,
    after: action === 'delete' ? null : after,
    beforeSensitive: change.before_sensitive,
    afterSensitive: change.after_sensitive,
    afterUnknown: action === 'delete' ? undefined : change.after_unknown,
    replacePaths,
  });
  // Full objects are kept (redacted) for the report; a delete shows what goes, a read what is read.
  const result: ResourceChange = {
    address,
    type,
    name,
    mode,
    action,
    changes: action === 'delete' || action === 'no-op' ? [] : diff.changes,
    before: before === null ? null : diff.before ?? (diffAttributes({ type, before, after: null, beforeSensitive: change.before_sensitive }).before),
    after: diff.after,
  };
  const module = raw.module_address;
  if (typeof module === 'string' && module !== '') result.module = module;
  if (typeof raw.action_reason === 'string') result.reason = reasons[raw.action_reason] ?? raw.action_reason.replaceAll('_', ' ');
  if (typeof raw.previous_address === 'string' && raw.previous_address !== address) {
    result.reason = [result.reason, `moved from ${raw.previous_address}`].filter(Boolean).join('; ');
  }
  if (typeof raw.deposed === 'string') result.reason = [result.reason, `deposed object ${raw.deposed}`].filter(Boolean).join('; ');
  const component = (after && componentOf(after)) ?? (before && componentOf(before)) ?? undefined;
  if (component) result.component = component;
  return result;
}

const single: Record<string, Action> = { create: 'create', delete: 'delete', update: 'update', 'no-op': 'no-op', read: 'read' };

function readActions(value: unknown, at: string, file: string): Action {
  if (!Array.isArray(value) || value.length === 0) throw new PlanInputError('invalid-field', file, at, 'expected a non-empty array of actions');
  value.forEach((item, i) => {
    if (typeof item !== 'string' || !(item in single)) {
      throw new PlanInputError('unknown-action', file, `${at}[${i}]`, `unknown action ${JSON.stringify(item)} (create, read, update, delete, no-op)`);
    }
  });
  if (value.length === 1) return single[value[0] as string];
  if (value.length === 2 && value.includes('create') && value.includes('delete')) return 'replace';
  throw new PlanInputError('unknown-action', file, at, `unknown action combination ${JSON.stringify(value)} (only ["delete","create"] or ["create","delete"] combine)`);
}

function optionalObject(value: unknown, at: string, file: string): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  if (!isRecord(value)) throw new PlanInputError('invalid-field', file, at, 'expected an object or null');
  return value;
}

function readReplacePaths(value: unknown, at: string, file: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new PlanInputError('invalid-field', file, at, 'expected an array of paths');
  return value.map((path, i) => {
    if (!Array.isArray(path)) throw new PlanInputError('invalid-field', file, `${at}[${i}]`, 'expected an array of path steps');
    return path.map((step) => String(step)).join('.');
  });
}
