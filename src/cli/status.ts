/** `slipway status [--json]`: per app and environment, the desired and applied commit, drift, and the last tick. */
import type { CliIo } from './io.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const usage = `Usage: slipway status [--json]

Per app and environment: the default branch's head (desired), the commit last applied, the newest
deployment's status, drift (clean, drifted, error; unchecked: -) and when the last reconcile tick ran.
`;

const short = (sha: string | null) => (sha ? sha.slice(0, 12) : '-');
const when = (d: Date | null | undefined) => (d ? d.toISOString().replace(/\.\d+Z$/, 'Z') : '-');

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('status', args, { json: { type: 'boolean' } }, usage, io);
  if (typeof parsed === 'number') return parsed;
  if (parsed.positionals.length > 0) {
    io.stderr(`slipway status: unexpected argument "${parsed.positionals[0]}"\n${usage}`);
    return 2;
  }
  const [{ openStore }, { storeOptionsFromEnv }, { StoreError }, { environmentStatuses }, { lastFinishedTick }] = await Promise.all([
    import('../store/open-store.ts'),
    import('../store/store-options.ts'),
    import('../store/store-error.ts'),
    import('../store/environment-status.ts'),
    import('../store/reconcile-ticks.ts'),
  ]);
  let store;
  try {
    store = await openStore(storeOptionsFromEnv(io.env, io.cwd));
  } catch (error) {
    if (error instanceof StoreError) {
      io.stderr(`slipway status: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  try {
    const [rows, tick] = [await environmentStatuses(store.db), await lastFinishedTick(store.db)];
    if (parsed.values.json) {
      io.stdout(`${JSON.stringify({ lastTick: tick ? { id: tick.id, startedAt: tick.startedAt, finishedAt: tick.finishedAt, problems: tick.summary?.problems ?? [] } : null, environments: rows }, null, 2)}\n`);
      return 0;
    }
    io.stdout(`last reconcile tick: ${tick ? `${when(tick.finishedAt)} (${tick.summary?.problems.length ?? 0} problems)` : 'never'}\n`);
    if (rows.length === 0) {
      io.stdout('no apps\n');
      return 0;
    }
    const table = rows.map((r) => [
      r.repository,
      r.app,
      r.environment,
      short(r.desiredSha),
      short(r.appliedSha),
      r.desiredSha && r.appliedSha ? (r.desiredSha === r.appliedSha ? 'yes' : 'no') : '-',
      r.latestStatus ?? '-',
      r.drift ? `${r.drift}${r.driftIssue ? ` (#${r.driftIssue})` : ''}` : '-',
      when(r.driftCheckedAt),
    ]);
    const header = ['REPOSITORY', 'APP', 'ENV', 'DESIRED', 'APPLIED', 'IN SYNC', 'LATEST', 'DRIFT', 'DRIFT CHECKED'];
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    for (const row of [header, ...table]) io.stdout(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
