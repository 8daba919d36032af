/**
 * A service's `env:` → what its container gets. Plain values are copied (made Terraform-literal);
 * `{ from: x.y }` takes an output of component `x`; `{ secret: name }` becomes a reference to an
 * SSM parameter `/slipway/<app>/<name>` (or the ARN as written) that ECS resolves at start. A
 * secret's value is never read or written here — only where to find it and the right to read it.
 */
import type { EnvValue } from '../src/config/schema.ts';
import type { AppContext, ComponentRef, PolicyStatement } from './app-context.ts';
import { SynthError } from '../src/synth/synth-error.ts';
import { literal } from './naming.ts';

export type ResolvedEnv = {
  /** Sorted by name. */
  environment: { name: string; value: string }[];
  /** Sorted by name; `valueFrom` is an ARN (with a JSON key suffix for Secrets Manager keys). */
  secrets: { name: string; valueFrom: string }[];
  /** What the execution role needs to fetch the secrets. */
  secretReads: PolicyStatement[];
  /** Components referenced by `from:` (for IAM access and network reachability). */
  uses: ComponentRef[];
};

/** The ARN of a secret written as `{ secret: name }`. */
export function secretArn(name: string, ctx: AppContext): string {
  if (name.startsWith('arn:')) return literal(name);
  const path = name.startsWith('/') ? name : `/slipway/${ctx.app}/${name}`;
  return `arn:${ctx.partition}:ssm:${ctx.region}:${ctx.platform.accountId}:parameter${literal(path)}`;
}

function secretRead(arn: string): PolicyStatement {
  const base = arn.replace(/:[^:]*::$/, '');
  const service = base.split(':')[2];
  const action = service === 'secretsmanager' ? 'secretsmanager:GetSecretValue' : 'ssm:GetParameters';
  return { Effect: 'Allow', Action: [action], Resource: [base] };
}

export function resolveEnv(env: Record<string, EnvValue> | undefined, ctx: AppContext): ResolvedEnv {
  const environment: ResolvedEnv['environment'] = [];
  const secrets: ResolvedEnv['secrets'] = [];
  const secretReads: PolicyStatement[] = [];
  const uses = new Map<string, ComponentRef>();
  let wantsPgPassword: { valueFrom: string; read: PolicyStatement } | undefined;

  for (const name of Object.keys(env ?? {}).sort()) {
    const value = env![name];
    if (typeof value !== 'object') {
      environment.push({ name, value: literal(String(value)) });
    } else if ('secret' in value) {
      const arn = secretArn(value.secret, ctx);
      secrets.push({ name, valueFrom: arn });
      secretReads.push(secretRead(arn));
    } else {
      const [component, output] = value.from.split('.');
      const ref = ctx.components.get(component);
      const out = ref?.outputs[output];
      if (!ref || !out) throw new SynthError(`env ${name}: ${value.from} names no output of this app (the loader should have refused it)`);
      uses.set(component, ref);
      if (out.kind === 'value') {
        environment.push({ name, value: out.value });
        if (ref.type === 'postgres' && output === 'url') {
          const password = ref.outputs.password;
          if (password?.kind === 'secret') wantsPgPassword = { valueFrom: password.valueFrom, read: password.read };
        }
      } else {
        secrets.push({ name, valueFrom: out.valueFrom });
        secretReads.push(out.read);
      }
    }
  }
  // A postgres URL carries no password; PGPASSWORD (read by libpq and node-postgres) supplies it.
  if (wantsPgPassword && !(env && 'PGPASSWORD' in env)) {
    secrets.push({ name: 'PGPASSWORD', valueFrom: wantsPgPassword.valueFrom });
    secrets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    secretReads.push(wantsPgPassword.read);
  }
  return { environment, secrets, secretReads: dedupeStatements(secretReads), uses: [...uses.values()] };
}

export function dedupeStatements(statements: PolicyStatement[]): PolicyStatement[] {
  const seen = new Set<string>();
  return statements.filter((statement) => {
    const key = JSON.stringify(statement);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
