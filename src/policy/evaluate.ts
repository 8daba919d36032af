/**
 * `evaluatePolicies`: the pure policy engine. Data in (config, Terraform JSON, plan, cost, rules),
 * one result per rule out. A rule that throws becomes a result with status `error` — reported,
 * never passed silently.
 */
import { isPreviewEnvironment } from '../config/resolve-environment.ts';
import type { PaasConfig } from '../config/schema.ts';
import type { CostDiff, CostEstimate } from '../cost/types.ts';
import type { Plan } from '../plan/types.ts';
import { componentOf as synthComponentOf } from '../synth/component-of.ts';
import { evaluateAll, explain, formatValue, type Scope } from './conditions.ts';
import { fingerprint } from './fingerprint.ts';
import { valuesAt } from './path.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { globToRegExp, ResourceGraph } from './resource-graph.ts';
import type { PolicyRule } from './rule-schema.ts';
import { derivedFields, selectSubjects, type Subject } from './subjects.ts';
import type { PolicyFault, PolicyResult } from './types.ts';

export type Location = { line: number; column: number; endLine?: number };

export type EvaluateInput = {
  /** The config with this environment's overrides merged in (a ResolvedConfig). */
  config: PaasConfig;
  environment: string;
  /** Whether this is a pull-request preview; inferred from the name (`pr-12`) when left out. */
  preview?: boolean;
  terraform: TerraformJson;
  plan?: Plan;
  cost?: CostEstimate;
  costDiff?: CostDiff;
  rules: PolicyRule[];
  /** Values for `$params.<name>` (server and repository files); a rule's own defaults fill the rest. */
  params?: Record<string, unknown>;
  /** paas.yaml path (`services.web.cpu`) → position, from the config loader. */
  locate?: (path: string) => Location | undefined;
  /** The paas.yaml file name put into locations. */
  file?: string;
  /** The paas.yaml service or resource a Terraform resource belongs to; synth's `componentOf` by default. */
  componentOf?: (block: Record<string, unknown>) => string | undefined;
};

export function evaluatePolicies(input: EvaluateInput): PolicyResult[] {
  const graph = new ResourceGraph(input.terraform);
  const preview = input.preview ?? isPreviewEnvironment(input.environment);
  const componentOf = input.componentOf ?? synthComponentOf;
  const config = input.config;
  const componentPath = (component: string | undefined): string | undefined => {
    if (!component) return undefined;
    if (component.startsWith('services.') || component.startsWith('resources.')) return component;
    if (config.services && Object.hasOwn(config.services, component)) return `services.${component}`;
    if (config.resources && Object.hasOwn(config.resources, component)) return `resources.${component}`;
    return undefined;
  };
  const locateConfig = (path: string | undefined): PolicyFault['location'] => {
    if (path === undefined || !input.locate) return undefined;
    const overlay = preview ? 'previews' : input.environment === 'production' ? undefined : `environments.${input.environment}`;
    const segments = path === '' ? [] : path.split('.');
    for (let length = segments.length; length >= 0; length--) {
      const base = segments.slice(0, length).join('.');
      for (const candidate of overlay ? [join(overlay, base), base] : [base]) {
        if (candidate === '') continue;
        const found = input.locate(candidate);
        if (found) return { file: input.file ?? 'paas.yaml', ...found };
      }
    }
    return undefined;
  };
  const sources = { config, environment: input.environment, preview, graph, plan: input.plan, cost: input.cost, costDiff: input.costDiff, componentPath, componentOf };
  return input.rules.map((rule) => {
    try {
      return evaluateRule(rule);
    } catch (error) {
      return {
        ...base(rule),
        status: 'error',
        message: `rule could not be evaluated: ${error instanceof Error ? error.message : String(error)}`,
      } satisfies PolicyResult;
    }
  });

  function evaluateRule(rule: PolicyRule): PolicyResult {
    if (!applies(rule)) {
      return { ...base(rule), status: 'pass', notApplicable: true, message: `does not apply to environment ${input.environment}` };
    }
    const unset = new Set<string>();
    const resolved = new Map<string, unknown>();
    const scope: Scope = {
      graph,
      reference: (ref) => {
        if (resolved.has(ref)) return resolved.get(ref);
        const value = reference(ref, rule) ?? undefined;
        if (value === undefined) unset.add(ref);
        resolved.set(ref, value);
        return value;
      },
    };
    const subjects = selectSubjects(rule.select, sources);
    if (subjects === undefined) {
      const missing = rule.select.plan ? 'plan' : 'cost estimate';
      return { ...base(rule), status: 'pass', notApplicable: true, message: `not evaluated: no ${missing} was given` };
    }
    const faults: (PolicyFault & { facts: string })[] = [];
    let judged = 0;
    for (const subject of subjects) {
      const subjectScope = subject.address ? { ...scope, address: subject.address } : scope;
      if (rule.select.where && evaluateAll(rule.select.where, subject.value, subjectScope) !== true) continue;
      judged++;
      const fault = judge(rule, subject, subjectScope);
      if (fault) faults.push(fault);
    }
    if (faults.length === 0) {
      if (unset.size > 0) {
        return { ...base(rule), status: 'pass', notApplicable: true, message: `not evaluated: ${[...unset].join(', ')} not set` };
      }
      if (judged === 0) return { ...base(rule), status: 'pass', notApplicable: true, message: 'nothing to check' };
      return { ...base(rule), status: 'pass', message: `${judged} checked, none at fault` };
    }
    // How to approve is not part of the message: renderers say it from `approvable`.
    const head = faults.length === 1 ? faults[0].message : `${faults.length} at fault; first: ${faults[0].message}`;
    return {
      ...base(rule),
      status: 'fail',
      message: head,
      resources: faults.map((fault) => fault.resource),
      location: faults.find((fault) => fault.location)?.location,
      faults: faults.map(({ facts: _facts, ...fault }) => fault),
      fingerprint: fingerprint(rule.id, faults),
      approvable: rule.requiresApproval === true || rule.approvable === true,
    };
  }

  function judge(rule: PolicyRule, subject: Subject, scope: Scope): (PolicyFault & { facts: string }) | undefined {
    let facts: string;
    let path: string | undefined;
    let references: string[] = [];
    if (rule.assert) {
      if (evaluateAll(rule.assert, subject.value, scope) !== false) return undefined;
      ({ text: facts, path, references } = explain(rule.assert, 'assert', subject.value, scope));
    } else if (rule.deny) {
      if (evaluateAll(rule.deny, subject.value, scope) !== true) return undefined;
      ({ text: facts, path, references } = explain(rule.deny, 'deny', subject.value, scope));
    } else {
      facts = planFacts(subject.value);
    }
    const message = rule.message ? fill(rule.message, subject, scope) : `${subject.id}: ${facts}`;
    return { resource: subject.id, message, facts, location: locationOf(subject, path, references, rule.field) };
  }

  function locationOf(subject: Subject, path: string | undefined, references: string[], field: string | undefined): PolicyFault['location'] {
    const configRef = references.map(referenceConfigPath).find((p) => p !== undefined);
    if (subject.configPath === undefined) return configRef === undefined ? undefined : locateConfig(configRef);
    if (subject.configPath !== '' && subject.address === undefined && path) {
      const [first, ...rest] = path.split('.');
      return locateConfig([subject.configPath, derivedFields[first] ?? first, ...rest].join('.'));
    }
    if (subject.configPath === '' && path) return locateConfig(path);
    if (field) return locateConfig(`${subject.configPath}.${field}`);
    return locateConfig(subject.configPath);
  }

  function reference(ref: string, rule: PolicyRule): unknown {
    const [head, ...rest] = ref.slice(1).split('.');
    const tail = rest.join('.');
    if (head === 'environment') return input.environment;
    if (head === 'preview') return preview;
    if (head === 'budget') return tail ? valuesAt(config.budget, tail)[0] : config.budget;
    if (head === 'config') return tail ? valuesAt(config, tail)[0] : config;
    if (head === 'params') {
      const name = rest[0];
      const value = input.params && Object.hasOwn(input.params, name) ? input.params[name] : rule.params?.[name];
      return rest.length > 1 ? valuesAt(value, rest.slice(1).join('.'))[0] : value;
    }
    throw new Error(`unknown reference ${ref}`);
  }

  function applies(rule: PolicyRule): boolean {
    const when = rule.when;
    if (!when) return true;
    if (when.preview !== undefined && when.preview !== preview) return false;
    if (when.environment && !when.environment.some((name) => globToRegExp(name).test(input.environment))) return false;
    return true;
  }

  function fill(template: string, subject: Subject, scope: Scope): string {
    return template.replace(/\{([$A-Za-z0-9_.:*-]+)\}/g, (_match, path: string) => {
      if (path === 'address' || path === 'id') return subject.id;
      const value = path.startsWith('$') ? scope.reference(path) : valuesAt(subject.value, path)[0];
      return formatValue(value);
    });
  }
}

function base(rule: PolicyRule): Omit<PolicyResult, 'status' | 'message'> {
  return {
    ruleId: rule.id,
    description: rule.description,
    severity: rule.severity,
    remediation: rule.remediation,
    resources: [],
    source: rule.source,
    ...(rule.requiresApproval ? { requiresApproval: true } : {}),
  };
}

/** `$budget.monthly` → `budget.monthly`, `$config.region` → `region`: where a referenced setting is written. */
function referenceConfigPath(ref: string): string | undefined {
  if (ref.startsWith('$budget.')) return ref.slice(1);
  if (ref.startsWith('$config.')) return ref.slice('$config.'.length);
  return undefined;
}

function join(a: string, b: string): string {
  return b === '' ? a : `${a}.${b}`;
}

/** What a plan change is, for messages and fingerprints: action, and the attributes that drive it. */
function planFacts(value: unknown): string {
  const change = value as { action: string; reason?: string; changes?: { path: string; forcesReplacement?: boolean; sensitive: boolean; before: unknown; after: unknown }[] };
  const drivers = (change.changes ?? []).filter((c) => c.forcesReplacement);
  const listed = (drivers.length > 0 ? drivers : change.action === 'delete' ? [] : (change.changes ?? []).slice(0, 5))
    .map((c) => (c.sensitive ? `${c.path} (sensitive)` : `${c.path}: ${formatValue(c.before)} → ${formatValue(c.after)}`));
  const verb = change.action === 'delete' ? 'will be destroyed' : change.action === 'replace' ? 'will be replaced' : `will be ${change.action}d`;
  return `${verb}${listed.length ? ` (${listed.join(', ')})` : ''}${change.reason ? `; ${change.reason}` : ''}`;
}
