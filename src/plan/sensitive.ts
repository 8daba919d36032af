/**
 * Which attribute values must never be shown. The plan builders redact with these rules before a
 * value enters the plan model, so no renderer can leak one by mistake.
 */
import { isRecord } from './terraform-json.ts';
import { LruMap } from '../lru-map.ts';

/** What a redacted value is replaced with, everywhere. */
export const REDACTED = '(sensitive)';

// Stryker disable all: facts copied from the provider's schema (docs/testing.md); the logic that
// reads the table is mutated.
/** Attributes the AWS provider marks `Sensitive`, per resource type (dotted paths, top-level first segment). */
export const sensitiveAttributes: Readonly<Record<string, readonly string[]>> = {
  aws_db_instance: ['password', 'master_password'],
  aws_rds_cluster: ['master_password'],
  aws_elasticache_replication_group: ['auth_token'],
  aws_elasticache_user: ['passwords'],
  aws_secretsmanager_secret_version: ['secret_string', 'secret_binary'],
  aws_ssm_parameter: ['value', 'insecure_value'],
  aws_iam_access_key: ['secret', 'ses_smtp_password_v4', 'encrypted_secret'],
  aws_iam_user_login_profile: ['password'],
  aws_mq_broker: ['user'],
  aws_opensearch_domain: ['advanced_security_options'],
  aws_lambda_function: [],
};
// Stryker restore all

// Names that say "secret". Suffixes such as `_arn`, `_id`, `_name` point at a secret; they are not one.
const secretName = /(^|[_\-.])(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?)([_\-.]|$)/i;
const pointerSuffix = /(_arn|_id|_ids|_name|_names|_version|_version_id|_kms_key_id|valueFrom|_rotation.*)$/i;

/** `DB_PASSWORD`, `stripe_secret_key`, `auth_token` — but not `password_secret_arn`. */
export function isSecretName(name: string): boolean {
  let known = secretNameCache.get(name);
  if (known === undefined) {
    known = secretName.test(name) && !pointerSuffix.test(name);
    // Attribute names repeat across resources; the cache stays as small as the set of names seen.
    secretNameCache.set(name, known);
  }
  return known;
}
const secretNameCache = new LruMap<string, boolean>(10_000, { weigh: (name) => name.length, maxWeight: 1_000_000 });

const secretValuePatterns: RegExp[] = [
  /\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]{8,}/, // Stripe
  /\bAKIA[0-9A-Z]{16}\b/, // AWS access key id
  /\bgh[pousr]_[A-Za-z0-9]{30,}/, // GitHub tokens
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/, // Slack
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^[a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:[^@\s]+@/i, // credentials inside a URL
  /^eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}$/, // JWT
];

/** A literal that looks like a credential whatever its name. Terraform references (`${...}`) never do. */
export function looksLikeSecret(value: string): boolean {
  if (value.length < 8) return false;
  if (value.startsWith('${') && value.endsWith('}') && !value.slice(2).includes('${')) return false;
  return secretValuePatterns.some((pattern) => pattern.test(value));
}

// The same shapes, found inside free text (a policy message quoting a value, a note).
const secretsInText: RegExp[] = [
  /\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]{8,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/g,
];

const mayHoldSecret = /_live_|_test_|AKIA|gh[pousr]_|xox[abprs]-|PRIVATE KEY|eyJ|:\/\//;

/** Free text with anything credential-shaped replaced by REDACTED; `user:password@` keeps the user. */
export function scrubSecrets(text: string): string {
  // Most text (addresses, names) has none of the tell-tale fragments: one test instead of seven.
  if (!mayHoldSecret.test(text)) return text;
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:)[^@\s]+@/gi, `$1${REDACTED}@`);
  for (const pattern of secretsInText) out = out.replace(pattern, REDACTED);
  return out;
}

export type SensitivityContext = {
  type: string;
  /** Names of variables declared `sensitive = true`. */
  sensitiveVariables?: ReadonlySet<string>;
};

/**
 * Whether the value at `path` (segments) of a resource of `ctx.type` is sensitive: the provider's
 * list, a secret-looking key anywhere on the path (environment maps, container `environment`
 * entries named by `name`), a reference to a sensitive variable, or a secret-looking literal.
 */
export function isSensitive(ctx: SensitivityContext, path: readonly string[], value: unknown, sibling?: Record<string, unknown>): boolean {
  const known = sensitiveAttributes[ctx.type];
  if (known && path.length > 0 && known.includes(path[0])) return true;
  const last = path[path.length - 1];
  if (last !== undefined && isSecretName(last)) return true;
  // Container definitions and Lambda-style lists: { name: "DB_PASSWORD", value: "..." }.
  if (last === 'value' && sibling && typeof sibling.name === 'string' && isSecretName(sibling.name)) return true;
  if (typeof value === 'string') {
    if (looksLikeSecret(value)) return true;
    if (ctx.sensitiveVariables && ctx.sensitiveVariables.size > 0) {
      for (const match of value.matchAll(/\bvar\.([A-Za-z0-9_-]+)/g)) if (ctx.sensitiveVariables.has(match[1])) return true;
    }
  }
  return false;
}

/** Sensitive by where it is, whatever the value: the provider's list or a secret-looking key. */
export function isSensitiveName(ctx: SensitivityContext, path: readonly string[]): boolean {
  const known = sensitiveAttributes[ctx.type];
  if (known && path.length > 0 && known.includes(path[0])) return true;
  const last = path[path.length - 1];
  return last !== undefined && isSecretName(last);
}

/** A deep copy of `value` with every sensitive leaf replaced by REDACTED; `marks` (Terraform's `*_sensitive`) adds more. */
export function redact(ctx: SensitivityContext, value: unknown, marks?: unknown, path: string[] = [], parent?: Record<string, unknown>): unknown {
  if (value === null || value === undefined) return value;
  if (marks === true || (path.length > 0 && isSensitiveName(ctx, path))) return REDACTED;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) {
      path.push(String(index));
      out[index] = redact(ctx, value[index], Array.isArray(marks) ? marks[index] : undefined, path, undefined);
      path.pop();
    }
    return out;
  }
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const key in value) {
      path.push(key);
      out[key] = redact(ctx, value[key], isRecord(marks) ? marks[key] : undefined, path, value);
      path.pop();
    }
    return out;
  }
  return isSensitive(ctx, path, value, parent) ? REDACTED : value;
}

/** Names of `variable` blocks declared sensitive in a Terraform JSON document. */
export function sensitiveVariablesOf(doc: { variable?: Record<string, unknown> } | null | undefined): Set<string> {
  const out = new Set<string>();
  if (doc && isRecord(doc.variable)) {
    for (const [name, block] of Object.entries(doc.variable)) if (isRecord(block) && block.sensitive === true) out.add(name);
  }
  return out;
}
