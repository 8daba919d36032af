/**
 * The policy file format: declarative data only. Nothing in a policy file is ever executed — no
 * expressions, no code, no templates beyond `{field}` substitution in messages — because the
 * files come from repositories and are only half trusted. One strict zod schema per shape, the
 * type derived from it under the same name.
 */
import { z } from 'zod';
import { compilePattern, PatternError } from './pattern.ts';

const RuleId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,63}$/, 'must be lowercase letters, digits and "-", starting with a letter (2-64 characters)');

/** `$budget.monthly`, `$params.allowedRegions`, `$environment`, `$preview`, `$config.region`. */
export const Reference = z
  .string()
  .regex(/^\$(budget|params|config|environment|preview)(\.[A-Za-z0-9_:\-]+)*$/, 'must be a reference such as $budget.monthly, $params.<name>, $config.<path>, $environment or $preview');

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
/** A literal value or a `$` reference. Strings starting with `$` must be valid references. */
const Operand = z.union([Scalar, z.array(Scalar)]).superRefine((value, ctx) => {
  if (typeof value === 'string' && value.startsWith('$') && !Reference.safeParse(value).success) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a reference: use $budget.<field>, $params.<name>, $config.<path>, $environment or $preview` });
  }
});
const NumberOperand = z.union([z.number(), Reference]);
const ListOperand = z.union([z.array(Scalar), Reference]);

/**
 * `matches:` patterns run on RE2 (see pattern.ts): one that RE2 cannot run in linear time is
 * refused here, located on the pattern, with the reason and a hint (`params.hint`).
 */
const SafeRegex = z
  .string()
  .max(200)
  .superRefine((pattern, ctx) => {
    try {
      compilePattern(pattern);
    } catch (error) {
      if (!(error instanceof PatternError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message, params: { hint: error.hint } });
    }
  });

export const comparisonOperators = [
  'equals', 'notEquals', 'in', 'notIn', 'exists', 'absent', 'contains', 'notContains',
  'greaterThan', 'greaterThanOrEqual', 'lessThan', 'lessThanOrEqual', 'matches',
] as const;
const quantifiers = ['some', 'every'] as const;
const combinators = ['anyOf', 'allOf', 'not'] as const;
const relations = ['related', 'references'] as const;

export type Condition = {
  path?: string;
  equals?: unknown;
  notEquals?: unknown;
  in?: unknown[] | string;
  notIn?: unknown[] | string;
  exists?: boolean;
  absent?: boolean;
  contains?: unknown;
  notContains?: unknown;
  greaterThan?: number | string;
  greaterThanOrEqual?: number | string;
  lessThan?: number | string;
  lessThanOrEqual?: number | string;
  matches?: string;
  some?: Condition[];
  every?: Condition[];
  anyOf?: Condition[];
  allOf?: Condition[];
  not?: Condition;
  related?: { type: string | string[]; via: string; where?: Condition[] };
  references?: { path: string; type?: string | string[]; where?: Condition[] };
  message?: string;
};

const Types = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const Condition: z.ZodType<Condition> = z.lazy(() =>
  z
    .strictObject({
      path: z.string().min(1).max(300).optional(),
      equals: Operand.optional(),
      notEquals: Operand.optional(),
      in: ListOperand.optional(),
      notIn: ListOperand.optional(),
      exists: z.boolean().optional(),
      absent: z.boolean().optional(),
      contains: Operand.optional(),
      notContains: Operand.optional(),
      greaterThan: NumberOperand.optional(),
      greaterThanOrEqual: NumberOperand.optional(),
      lessThan: NumberOperand.optional(),
      lessThanOrEqual: NumberOperand.optional(),
      matches: SafeRegex.optional(),
      some: z.array(Condition).min(1).optional(),
      every: z.array(Condition).min(1).optional(),
      anyOf: z.array(Condition).min(1).optional(),
      allOf: z.array(Condition).min(1).optional(),
      not: Condition.optional(),
      related: z
        .strictObject({ type: Types, via: z.string().min(1), where: z.array(Condition).optional() })
        .optional(),
      references: z
        .strictObject({ path: z.string().min(1), type: Types.optional(), where: z.array(Condition).optional() })
        .optional(),
      message: z.string().max(500).optional(),
    })
    .superRefine((condition, ctx) => {
      const present = (names: readonly string[]) => names.filter((name) => (condition as Record<string, unknown>)[name] !== undefined);
      const kinds = present([...comparisonOperators, ...quantifiers, ...combinators, ...relations]);
      if (kinds.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message:
            kinds.length === 0
              ? 'a condition needs one test: an operator (equals, in, exists, greaterThan, matches, …), some/every, anyOf/allOf/not, related or references'
              : `a condition takes exactly one test; found ${kinds.join(', ')} (use allOf to combine)`,
        });
        return;
      }
      const needsPath = [...comparisonOperators, ...quantifiers].includes(kinds[0] as never);
      if (needsPath && condition.path === undefined) ctx.addIssue({ code: 'custom', message: `"${kinds[0]}" needs a "path"`, path: [] });
      if (!needsPath && condition.path !== undefined) ctx.addIssue({ code: 'custom', message: `"${kinds[0]}" does not take a "path"`, path: ['path'] });
      if ((condition.exists !== undefined && condition.exists !== true) || (condition.absent !== undefined && condition.absent !== true)) {
        ctx.addIssue({ code: 'custom', message: 'write exists: true or absent: true' });
      }
    }),
);

export const planActions = ['create', 'update', 'replace', 'delete', 'no-op', 'read'] as const;

export const Select = z
  .strictObject({
    resource: z.strictObject({ type: Types }).optional(),
    plan: z.strictObject({ type: Types.optional(), action: z.array(z.enum(planActions)).min(1).optional() }).optional(),
    cost: z.enum(['total', 'components']).optional(),
    config: z.enum(['app', 'services', 'resources']).optional(),
    where: z.array(Condition).optional(),
  })
  .superRefine((select, ctx) => {
    const kinds = (['resource', 'plan', 'cost', 'config'] as const).filter((kind) => select[kind] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: kinds.length === 0 ? 'select one of: resource, plan, cost, config' : `select exactly one of resource, plan, cost, config; found ${kinds.join(', ')}`,
      });
    }
  });
export type Select = z.infer<typeof Select>;

export const When = z.strictObject({
  /** Environment names or globs (`pr-*`); the rule applies only there. */
  environment: z.array(z.string().min(1)).min(1).optional(),
  /** true: only preview environments; false: never preview environments. */
  preview: z.boolean().optional(),
});

export const Rule = z
  .strictObject({
    id: RuleId,
    description: z.string().min(1).max(300),
    severity: z.enum(['error', 'warning']),
    remediation: z.string().min(1).max(1000),
    when: When.optional(),
    select: Select,
    /** Every selected subject must satisfy all of these; those that do not are at fault. */
    assert: z.array(Condition).min(1).optional(),
    /** A selected subject that satisfies all of these is at fault. */
    deny: z.array(Condition).min(1).optional(),
    /** The failure is lifted by `/slipway approve <id>` rather than by a fix. */
    requiresApproval: z.boolean().optional(),
    /** Allow an approval to lift a failure even without requiresApproval (default false). */
    approvable: z.boolean().optional(),
    /** Message per fault; `{address}`, `{name}` or any `{field.path}` of the subject is filled in. */
    message: z.string().max(500).optional(),
    /**
     * The paas.yaml field, under the service or resource a Terraform resource belongs to, where the
     * fix goes (`backupDays`): faults are annotated there when it is written, else on the component.
     */
    field: z.string().regex(/^[A-Za-z][A-Za-z0-9.]*$/, 'must be a paas.yaml field name such as backupDays').optional(),
    /** Default values for `$params.<name>` references, overridable from server or repository files. */
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.select?.plan === undefined && rule.assert === undefined && rule.deny === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a rule needs "assert" or "deny" (only a plan selector may stand alone: every selected change is at fault)' });
    }
    if (rule.assert !== undefined && rule.deny !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'use either "assert" or "deny", not both' });
    }
  });
export type RuleSpec = z.infer<typeof Rule>;

export const Override = z.strictObject({
  id: RuleId,
  severity: z.enum(['error', 'warning']).optional(),
  enabled: z.boolean().optional(),
});

export const PolicyFile = z.strictObject({
  version: z.literal(1),
  /** Values for `$params.<name>` references in any rule (built-in ones included). */
  params: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a simple name'), z.unknown()).optional(),
  rules: z.array(Rule).default([]),
  /** Change the severity of, or disable, rules from other sources. Only honoured in server files. */
  overrides: z.array(Override).optional(),
});
export type PolicyFile = z.infer<typeof PolicyFile>;

/** A rule ready to evaluate: the spec plus where it came from. */
export type PolicyRule = RuleSpec & {
  source: string;
  /** Where the rule is written (its `id`), for errors about the rule as a whole. */
  definedAt?: { file: string; line: number; column: number };
};

/** Every key the policy language knows: the vocabulary for "did you mean" hints. */
export const policyKeywords = [
  'version', 'params', 'rules', 'overrides', 'enabled',
  'id', 'description', 'severity', 'remediation', 'when', 'environment', 'preview', 'select', 'assert', 'deny',
  'requiresApproval', 'approvable', 'message', 'field', 'resource', 'plan', 'cost', 'config', 'where', 'type', 'action',
  'path', ...comparisonOperators, ...quantifiers, ...combinators, ...relations, 'via',
];
