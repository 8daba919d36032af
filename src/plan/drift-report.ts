/**
 * Drift as a number, not a yes/no: which resources and which of their attributes differ, with the
 * value found outside and the value Slipway applied (desired). Built from the two plans of
 * check-workspace-drift.ts: the refresh-only plan's `resource_drift` (recorded → outside) and the
 * plan of the applied document (outside → desired). Secrets never appear: attributes Terraform
 * marks sensitive, attributes named like secrets, and any known secret value are masked.
 */
import type { Plan, ResourceChange } from './types.ts';

export type DriftAttribute = { path: string; outside: unknown; desired: unknown; sensitive: boolean };
export type DriftedResource = {
  address: string;
  type: string;
  /** What applying the desired state does to it: update, replace, create (deleted outside), delete (created outside). */
  action: string;
  /** `refresh`: the real object changed; `plan`: the state differs from the configuration. */
  seenBy: Array<'refresh' | 'plan'>;
  attributes: DriftAttribute[];
};
export type DriftReport = { resources: DriftedResource[]; counts: { resources: number; attributes: number } };

export const redacted = '(sensitive)';
const secretLike = /(password|passwd|secret|token|private|api_?key|access_?key|credential|conn_str)/i;

export function driftReport(input: { refreshed: readonly ResourceChange[]; plan: Plan; redact: (text: string) => string }): DriftReport {
  const byAddress = new Map<string, DriftedResource>();
  const resourceOf = (change: ResourceChange, action: string) => {
    let resource = byAddress.get(change.address);
    if (!resource) byAddress.set(change.address, (resource = { address: change.address, type: change.type, action, seenBy: [], attributes: [] }));
    return resource;
  };
  const clean = (path: string, value: unknown, sensitive: boolean): unknown => {
    if (sensitive || secretLike.test(path)) return redacted;
    if (typeof value === 'string') return input.redact(value);
    if (value !== null && typeof value === 'object') return JSON.parse(input.redact(JSON.stringify(value)));
    return value;
  };
  const put = (resource: DriftedResource, attribute: DriftAttribute) => {
    const existing = resource.attributes.find((a) => a.path === attribute.path);
    if (existing) Object.assign(existing, attribute);
    else resource.attributes.push(attribute);
  };

  // The real object moved away from what Terraform recorded: outside = after, desired = before.
  for (const change of input.refreshed) {
    if (change.mode !== 'managed') continue;
    const resource = resourceOf(change, change.action === 'delete' ? 'create' : 'update');
    resource.seenBy.push('refresh');
    for (const a of change.changes) {
      if (a.unknownAfter) continue;
      const sensitive = a.sensitive || secretLike.test(a.path);
      put(resource, { path: a.path, outside: clean(a.path, a.after, sensitive), desired: clean(a.path, a.before, sensitive), sensitive });
    }
  }
  // What applying the desired document would change: outside = before, desired = after.
  for (const change of input.plan.resources) {
    if (change.mode !== 'managed' || change.action === 'no-op' || change.action === 'read') continue;
    const resource = resourceOf(change, change.action);
    resource.action = change.action;
    resource.seenBy.push('plan');
    for (const a of change.changes) {
      if (a.unknownAfter) continue; // computed from the others (e.g. terraform_data's output): not drift of its own
      const sensitive = a.sensitive || secretLike.test(a.path);
      put(resource, { path: a.path, outside: clean(a.path, a.before, sensitive), desired: clean(a.path, a.after, sensitive), sensitive });
    }
  }
  const resources = [...byAddress.values()].sort((a, b) => a.address.localeCompare(b.address));
  return { resources, counts: { resources: resources.length, attributes: resources.reduce((n, r) => n + r.attributes.length, 0) } };
}
