/**
 * `slipway token create --name N --role read|deploy|admin [--repos 'acme/*,!acme/legacy'] [--expires 30d]`
 * prints a new API token once (only its hash is stored); `slipway token list` and
 * `slipway token revoke <id>`. Each change is written to the audit log. docs/api.md: tokens and roles.
 */
import type { CliIo } from './io.ts';
import { cliActor, openCliStore, printTable } from './open-cli-store.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const usage = `Usage: slipway token create --name NAME --role read|deploy|admin [--repos PATTERNS] [--expires DURATION]
       slipway token list
       slipway token revoke <id>

create  prints a new API token once; only its hash is stored. --repos limits it to repositories
        (comma-separated owner/name globs, ! to exclude: 'acme/*,!acme/legacy'; default: all).
        --expires: 30d, 12h, 90m, 2w (default: never).
roles   read: GET apps, environments, deployments, recommendations
        deploy: read, apply planned deployments, push metric samples
        admin: everything, with deliveries and the audit log
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('token', args, { name: { type: 'string' }, role: { type: 'string' }, repos: { type: 'string' }, expires: { type: 'string' } }, usage, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [verb, ...rest] = positionals;
  if (verb === 'create') return create(values, rest, io);
  if (verb === 'list' && rest.length === 0) return list(io);
  if (verb === 'revoke' && rest.length === 1) return revoke(rest[0]!, io);
  io.stderr(`slipway token: ${verb ? `unexpected "${[verb, ...rest].join(' ')}"` : 'missing create, list or revoke'}\n${usage}`);
  return 2;
}

async function create(values: { name?: string; role?: string; repos?: string; expires?: string }, rest: string[], io: CliIo): Promise<number> {
  const [{ tokenRoles }, { parseDuration }, { parseRepositoryPatterns, RepositoryPatternError }] = await Promise.all([
    import('../store/schema.ts'),
    import('../tokens/parse-duration.ts'),
    import('../settings/repository-allow-list.ts'),
  ]);
  const problems: string[] = [];
  if (rest.length > 0) problems.push(`unexpected argument "${rest[0]}"`);
  if (!values.name?.trim()) problems.push('--name is required (what the token is for, e.g. ci-deploy)');
  else if (values.name.length > 100) problems.push('--name must be at most 100 characters');
  const role = tokenRoles.find((r) => r === values.role);
  if (!role) problems.push(`--role must be read, deploy or admin${values.role ? `, not "${values.role}"` : ''}`);
  let repositories: string[] | null = null;
  if (values.repos !== undefined) {
    try {
      parseRepositoryPatterns(values.repos);
      repositories = values.repos.split(',').map((p) => p.trim()).filter(Boolean);
    } catch (error) {
      if (!(error instanceof RepositoryPatternError)) throw error;
      problems.push(`--repos: ${error.message}`);
    }
  }
  const expiresInMs = values.expires === undefined ? undefined : parseDuration(values.expires);
  if (values.expires !== undefined && expiresInMs === undefined) problems.push(`--expires must be a number and a unit (m, h, d, w), e.g. 30d, not "${values.expires}"`);
  if (problems.length > 0) {
    io.stderr(`slipway token create: ${problems.join('; ')}\n`);
    return 2;
  }
  const store = await openCliStore('token', io);
  if (!store) return 1;
  try {
    const { createToken } = await import('../tokens/create-token.ts');
    const { token, row } = await createToken(store.db, { name: values.name!.trim(), role: role!, repositories, ...(expiresInMs !== undefined ? { expiresInMs } : {}), createdBy: cliActor(io) });
    io.stderr(`slipway: token ${row.id} (${row.name}), role ${row.role}, ${row.repositories ? `repositories ${row.repositories.join(',')}` : 'every repository'}, ${row.expiresAt ? `expires ${row.expiresAt.toISOString()}` : 'no expiry'}. It is shown once: keep it now.\n`);
    io.stdout(`${token}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

async function list(io: CliIo): Promise<number> {
  const store = await openCliStore('token', io);
  if (!store) return 1;
  try {
    const { listApiTokens } = await import('../store/api-tokens.ts');
    const rows = await listApiTokens(store.db);
    if (rows.length === 0) {
      io.stdout('no tokens\n');
      return 0;
    }
    const now = Date.now();
    const when = (d: Date | null) => (d ? d.toISOString().replace(/\.\d+Z$/, 'Z') : '-');
    printTable(
      io,
      ['ID', 'NAME', 'PREFIX', 'ROLE', 'REPOSITORIES', 'EXPIRES', 'STATE'],
      rows.map((t) => [String(t.id), t.name, `${t.prefix}…`, t.role, t.repositories?.join(',') ?? '*', when(t.expiresAt), t.revokedAt ? `revoked ${when(t.revokedAt)}` : t.expiresAt && t.expiresAt.getTime() <= now ? 'expired' : 'active']),
    );
    return 0;
  } finally {
    await store.close();
  }
}

async function revoke(idText: string, io: CliIo): Promise<number> {
  const id = Number(idText);
  if (!Number.isInteger(id) || id < 1) {
    io.stderr(`slipway token revoke: "${idText}" is not a token id (see slipway token list)\n`);
    return 2;
  }
  const store = await openCliStore('token', io);
  if (!store) return 1;
  try {
    const { revokeToken } = await import('../tokens/create-token.ts');
    const row = await revokeToken(store.db, { id, actor: cliActor(io) });
    if (!row) {
      io.stderr(`slipway token revoke: no active token ${id} (see slipway token list)\n`);
      return 1;
    }
    io.stdout(`revoked token ${row.id} (${row.name})\n`);
    return 0;
  } finally {
    await store.close();
  }
}
