/**
 * Names and literals for AWS resources. AWS caps name lengths (target groups at 32, IAM roles at
 * 64, RDS identifiers at 63, ElastiCache replication groups at 40) and the same app must get the
 * same names on every synthesis, so long names are cut and given a short stable hash suffix.
 */

/** FNV-1a, 32-bit: a stable, dependency-free hash for name suffixes and listener priorities. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** `parts` joined with "-", at most `max` characters; too-long names end in a 6-character hash. */
export function awsName(parts: string[], max: number): string {
  const full = parts.filter((part) => part.length > 0).join('-');
  if (full.length <= max) return full;
  const suffix = fnv1a(full).toString(36).padStart(6, '0').slice(-6);
  return `${full.slice(0, max - 7).replace(/-+$/, '')}-${suffix}`;
}

/**
 * A user-written string made safe for Terraform JSON: `${` and `%{` start template expressions,
 * so a paas.yaml value like `${aws_iam_role.x.arn}` would otherwise be evaluated by Terraform.
 * Terraform's escapes (`$${`, `%%{`) cannot be written here directly: cdktf rewrites `$${` while
 * resolving any string that also holds a token. So the `$`/`%` becomes a private-use character
 * that nothing else produces, and `restoreLiterals` turns it into the Terraform escape once cdktf
 * is done.
 */
export function literal(text: string): string {
  return text.replaceAll('${', `${escapedDollar}{`).replaceAll('%{', `${escapedPercent}{`);
}

const escapedDollar = '\uE000';
const escapedPercent = '\uE001';

/** Applied to every string of the finished document (see `literal`). */
export function restoreLiterals(text: string): string {
  if (!text.includes(escapedDollar) && !text.includes(escapedPercent)) return text;
  return text.replaceAll(escapedDollar, '$$$$').replaceAll(escapedPercent, '%%');
}

/** The ARN partition of a region: aws, aws-us-gov or aws-cn. */
export function partitionOf(region: string): string {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/**
 * Five-field cron (minute hour day-of-month month day-of-week, UTC) → the AWS `cron(...)` form used
 * by Application Auto Scaling and EventBridge Scheduler. AWS wants six fields, exactly one of the
 * two day fields set to `?`, and counts weekdays from 1 = Sunday, so numeric weekdays become names
 * (`1-5` → `MON-FRI`). Standard cron ORs the two day fields when both are set; AWS cannot, so the
 * day-of-week wins. An expression already in AWS form (`rate(5 minutes)`, `cron(...)`) is kept.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based
 */
export function cronToAws(expression: string): string {
  if (/^(cron|rate|at)\(.*\)$/.test(expression.trim())) return literal(expression.trim());
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new RangeError(`not a five-field cron expression: ${expression}`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields;
  const weekday = dayOfWeek.replace(/\d+/g, (digits) => dayNames[Number(digits)] ?? digits);
  if (dayOfWeek === '*' || dayOfWeek === '?') return `cron(${minute} ${hour} ${dayOfMonth === '*' ? '*' : dayOfMonth} ${month} ? *)`;
  return `cron(${minute} ${hour} ? ${month} ${weekday} *)`;
}
