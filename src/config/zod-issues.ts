/** zod issues → problems with plain messages and hints ("did you mean `memory`?", the allowed values). */
import type { z } from 'zod';
import type { Path, Problem } from './problem.ts';
import { describeValue, valueAt } from './problem.ts';
import { descriptionAt, keysAt, schemasAt } from './schema-at.ts';
import { closest, listWords, suggestion } from './suggest.ts';

type Issue = z.core.$ZodIssue;

export function issuesToProblems(issues: readonly Issue[], data: unknown, root: z.ZodType): Problem[] {
  const problems = issues.flatMap((issue) => issueToProblems(issue, [], data, root));
  return dropShadowedMissing(problems);
}

function issueToProblems(issue: Issue, prefix: Path, data: unknown, root: z.ZodType): Problem[] {
  const path: Path = [...prefix, ...(issue.path as Path)];
  const value = valueAt(data, path);
  const last = path[path.length - 1];
  const description = () => descriptionAt(root, path, data);

  switch (issue.code) {
    case 'invalid_type': {
      if (value === undefined) {
        return [{ path, message: `missing required field \`${String(last)}\``, hint: description() ?? `expected ${article(issue.expected)}` }];
      }
      return [{ path, message: `expected ${article(issue.expected)}, got ${describeValue(value)}`, hint: typeHint(path, issue.expected, value) ?? description() }];
    }
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v));
      if (value === undefined) {
        return [{ path, message: `missing required field \`${String(last)}\``, hint: `write ${String(last)}: ${allowed.length === 1 ? JSON.stringify(issue.values[0]) : allowed.join(' | ')}` }];
      }
      if (allowed.length === 1) return [{ path, message: `must be ${JSON.stringify(issue.values[0])}, got ${describeValue(value)}`, hint: description() }];
      if (typeof value === 'number' && allowed.includes(String(value))) {
        return [{ path, message: `${describeValue(value)} is not one of ${allowed.join(', ')}`, hint: `quote it: "${value}"` }];
      }
      const near = typeof value === 'string' || typeof value === 'number' ? closest(String(value), allowed) : undefined;
      return [{
        path,
        message: `${describeValue(value).replace(/^the text /, '')} is not one of ${allowed.join(', ')}`,
        ...(near ? { hint: `did you mean \`${near}\`?` } : {}),
      }];
    }
    case 'unrecognized_keys': {
      const allowed = keysAt(root, path, data);
      const present = Object.keys((valueAt(data, path) as object | null) ?? {});
      return issue.keys.map((key) => {
        if (allowed.includes(key)) {
          // Allowed in another form of this value ({ from } or { secret }), not alongside these fields.
          const others = present.filter((k) => k !== key);
          return { path: [...path, key], at: 'key' as const, message: `\`${key}\` cannot be combined with ${listWords(others)}`, hint: 'use one form: ' + describeForms(root, path, data) };
        }
        return { path: [...path, key], at: 'key' as const, message: `unknown field \`${key}\``, hint: suggestion(key, allowed) };
      });
    }
    case 'invalid_union': {
      const discriminator = (issue as { discriminator?: string }).discriminator;
      if (discriminator || (issue as { note?: string }).note === 'No matching discriminator') return [discriminatorProblem(issue, path, value)];
      const branches = issue.errors.filter((branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (branches.length > 0) {
        const best = branches.reduce((a, b) => (b.length < a.length ? b : a));
        return best.flatMap((inner) => issueToProblems(inner, path, data, root));
      }
      const expected = [...new Set(issue.errors.flatMap((branch) => branch.map((i) => (i.code === 'invalid_type' ? i.expected : undefined))).filter(Boolean))] as string[];
      return [{ path, message: `expected ${listWords(expected.map(article), false)}, got ${describeValue(value)}`, hint: description() }];
    }
    case 'invalid_key': {
      const inner = issue.issues[0]?.message ?? 'not allowed';
      return [{ path, at: 'key', message: `${keyKind(path)} \`${String(last)}\` is not valid: ${inner}` }];
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return [{ path, message: min <= 1 ? 'must not be empty' : `must be at least ${min} characters` }];
      if (issue.origin === 'array') return [{ path, message: `must have at least ${min} item${min === 1 ? '' : 's'}` }];
      return [{ path, message: `must be ${issue.inclusive ? '≥' : '>'} ${min}, got ${describeValue(value)}`, hint: description() }];
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return [{ path, message: `must be at most ${max} characters` }];
      if (issue.origin === 'array') return [{ path, message: `must have at most ${max} items` }];
      return [{ path, message: `must be ${issue.inclusive ? '≤' : '<'} ${max}, got ${describeValue(value)}`, hint: description() }];
    }
    case 'invalid_format': {
      let message = issue.message;
      if (issue.format === 'starts_with') message = `must start with "${(issue as { prefix?: string }).prefix}"`;
      else if (issue.format === 'url') message = 'must be a URL such as https://prometheus.example.com';
      else if (!message.startsWith('must')) message = `must be a valid ${issue.format}`;
      return [{ path, message: `${describeValue(value)} is not valid: ${message}`, hint: formatHint(value, (issue as { pattern?: string }).pattern, String(last)) }];
    }
    case 'not_multiple_of':
      return [{ path, message: `must be a multiple of ${String(issue.divisor)}, got ${describeValue(value)}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

function discriminatorProblem(issue: Issue & { code: 'invalid_union' }, path: Path, value: unknown): Problem {
  const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
  const kind = path[0] === 'services' ? 'service' : path[0] === 'resources' ? 'resource' : 'kind of';
  const typePath = path[path.length - 1] === 'type' ? path : [...path, 'type'];
  const typeValue = path[path.length - 1] === 'type' ? value : valueAt(value, ['type']);
  if (typeValue === undefined) {
    return { path: typePath, message: `missing required field \`type\``, hint: `the ${kind} type: one of ${options.join(', ')}` };
  }
  const near = typeof typeValue === 'string' ? closest(typeValue, options) : undefined;
  return {
    path: typePath,
    message: `unknown ${kind} type ${describeValue(typeValue).replace(/^the text /, '')}`,
    hint: `${near ? `did you mean \`${near}\`? ` : ''}types: ${options.join(', ')}`,
  };
}

function keyKind(path: Path): string {
  const parent = path[path.length - 2];
  if (parent === 'env') return 'environment variable name';
  if (path.length === 2 && parent === 'services') return 'service name';
  if (path.length === 2 && parent === 'resources') return 'resource name';
  if (path.length === 2 && parent === 'environments') return 'environment name';
  return 'key';
}

const sizeFields = new Set(['memory', 'storage']);
const durationFields = new Set(['interval', 'timeout', 'grace', 'ttl', 'lookback', 'retention', 'visibilityTimeout', 'expireAfter']);

function typeHint(path: Path, expected: string, value: unknown): string | undefined {
  const last = String(path[path.length - 1]);
  if (value === null) return `the value is empty: give \`${last}\` a value or remove the line`;
  if (expected === 'array' && typeof value === 'string' && last === 'command') return `write a list: ${JSON.stringify(value.trim().split(/\s+/)).replace(/","/g, '", "')}`;
  if (expected === 'string' && typeof value === 'number') {
    if (sizeFields.has(last)) return `sizes need a unit: write ${value >= 64 ? `${value}Mi` : `${value}Gi`}`;
    if (durationFields.has(last)) return `durations need a unit: write ${value}s`;
    return `quote it: "${value}"`;
  }
  if (expected === 'number' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return `write ${value} without quotes`;
  }
  if (expected === 'number' && last === 'cpu') return 'cpu is a number of vCPUs: 0.25, 0.5, 1, 2, 4, 8 or 16';
  if (expected === 'number') return `write a number${Object.hasOwn(numberExamples, last) ? `, such as ${last}: ${numberExamples[last]}` : ''}`;
  if (expected === 'array' && typeof value === 'string') return `write a list: [${JSON.stringify(value)}]`;
  if (expected === 'boolean' && typeof value === 'string') return 'write true or false without quotes';
  return undefined;
}

const numberExamples: Record<string, string> = {
  port: '8080', min: '2', max: '10', backupDays: '7', deadLetterAfter: '5', replicas: '1', monthly: '300', preview: '25',
  requestsPerInstance: '500', backlogPerInstance: '100', healthyThreshold: '3', unhealthyThreshold: '3', version: '1',
};

/** AWS commercial regions, for "did you mean" on a mistyped region. */
const regions = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'ca-west-1', 'sa-east-1', 'mx-central-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'ap-south-1', 'ap-south-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2',
  'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7', 'ap-east-1', 'me-south-1', 'me-central-1',
  'il-central-1', 'af-south-1', 'us-gov-west-1', 'us-gov-east-1',
];

function formatHint(value: unknown, pattern?: string, field?: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (field === 'region') {
    const near = closest(value, regions);
    return near ? `did you mean \`${near}\`?` : undefined;
  }
  if (pattern) {
    const fixed = value.trim().toLowerCase().replace(/[\s_.]+/g, '-');
    const source = /^\/(.*)\/[a-z]*$/.exec(pattern)?.[1];
    if (source && fixed !== value && new RegExp(source).test(fixed)) return `did you mean \`${fixed}\`?`;
  }
  const size = /^(\d+(?:\.\d+)?)\s*([MGT])(?:i?B|b)?$/i.exec(value.trim());
  if (size) return `did you mean \`${size[1]}${size[2].toUpperCase()}i\`?`;
  const duration = /^(\d+)\s*(ms|sec|secs|seconds?|s|mins?|minutes?|m|hours?|hrs?|h|days?|d)$/i.exec(value.trim());
  if (duration) {
    const unit = duration[2].toLowerCase();
    const short = unit === 'ms' ? 'ms' : unit.startsWith('s') ? 's' : unit.startsWith('m') ? 'm' : unit.startsWith('h') ? 'h' : 'd';
    return `did you mean \`${duration[1]}${short}\`?`;
  }
  return undefined;
}

/** `{ from } or { secret }`: the object forms a union value may take. */
function describeForms(root: z.ZodType, path: Path, data: unknown): string {
  const forms = schemasAt(root, path, data)
    .map((schema) => (schema as unknown as { _zod: { def: { type: string; shape?: object } } })._zod.def)
    .filter((def) => def.type === 'object' && def.shape)
    .map((def) => `{ ${Object.keys(def.shape!).join(', ')} }`);
  return listWords(forms, false);
}

function article(word: string): string {
  if (word === 'array') return 'a list';
  if (word === 'object' || word === 'record' || word === 'map') return 'a mapping';
  if (word === 'undefined' || word === 'null') return word;
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

/** A missing `memory` next to an unknown `memmory` is one mistake, reported once (as the typo). */
function dropShadowedMissing(problems: Problem[]): Problem[] {
  const suggested = new Set<string>();
  for (const p of problems) {
    const near = /^did you mean `([^`]+)`\?$/.exec(p.hint ?? '');
    if (p.message.startsWith('unknown field') && near) suggested.add(JSON.stringify([...p.path.slice(0, -1), near[1]]));
  }
  return problems.filter((p) => !(p.message.startsWith('missing required field') && suggested.has(JSON.stringify(p.path))));
}
