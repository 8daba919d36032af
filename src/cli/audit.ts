/** `slipway audit [--limit N] [--action A] [--actor A] [--subject S] [--json]`: the audit log, newest first. */
import type { CliIo } from './io.ts';
import { openCliStore, printTable } from './open-cli-store.ts';
import { parseCommandArgs, parseLimit } from './parse-command-args.ts';

const usage = `Usage: slipway audit [--limit N] [--action ACTION] [--actor ACTOR] [--subject SUBJECT] [--json]

The audit log, newest first (default 50): when, actor, source, action, subject, result.
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('audit', args, { limit: { type: 'string', default: '50' }, action: { type: 'string' }, actor: { type: 'string' }, subject: { type: 'string' }, json: { type: 'boolean' } }, usage, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length > 0) {
    io.stderr(`slipway audit: unexpected argument "${positionals[0]}"\n${usage}`);
    return 2;
  }
  const limit = parseLimit('audit', values.limit, io);
  if (Number.isNaN(limit)) return 2;
  const store = await openCliStore('audit', io);
  if (!store) return 1;
  try {
    const [{ listAudit }, { auditView }] = await Promise.all([import('../store/audit-log.ts'), import('../api/views.ts')]);
    const rows = await listAudit(store.db, { limit, ...(values.action ? { action: values.action } : {}), ...(values.actor ? { actor: values.actor } : {}), ...(values.subject ? { subject: values.subject } : {}) });
    if (values.json) {
      for (const row of rows) io.stdout(`${JSON.stringify(auditView(row))}\n`);
      return 0;
    }
    if (rows.length === 0) {
      io.stdout('no audit entries\n');
      return 0;
    }
    printTable(
      io,
      ['WHEN', 'ACTOR', 'SOURCE', 'ACTION', 'SUBJECT', 'RESULT'],
      rows.map((e) => [e.at.toISOString().replace(/\.\d+Z$/, 'Z'), e.actor, e.source ?? '-', e.action, e.subject ?? '-', e.result]),
    );
    return 0;
  } finally {
    await store.close();
  }
}
