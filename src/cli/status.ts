/** `slipway status [--json]`: per app and environment, the desired and applied commit, drift, and the last tick. */
import type { CliIo } from './io.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const usage = `Usage: slipway status [--json]

Per app and environment: the default branch's head (desired), the commit last applied, the newest
deployment's status, drift (clean, drifted, error; unchecked: -) and when the last reconcile tick ran.
Then every preview environment not yet destroyed: its pull request, state (open, awaiting-approval,
refused, destroying, destroy-failed), price, cost so far, expiry, and why it is not up or not gone.
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
  const [{ openStore }, { storeOptionsFromEnv }, { StoreError }, { environmentStatuses }, { lastFinishedTick }, { livePreviews }, { costSoFar }] = await Promise.all([
    import('../store/open-store.ts'),
    import('../store/store-options.ts'),
    import('../store/store-error.ts'),
    import('../store/environment-status.ts'),
    import('../store/reconcile-ticks.ts'),
    import('../store/previews.ts'),
    import('../previews/cost-so-far.ts'),
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
    const now = new Date();
    const previews = (await livePreviews(store.db)).map((p) => ({
      repository: p.repository,
      app: p.app,
      environment: p.environment,
      pullRequest: p.pullRequest,
      state: p.state,
      monthlyUsd: p.monthlyUsd,
      costSoFarUsd: Math.round(costSoFar(p, now) * 100) / 100,
      expiresAt: p.expiresAt,
      destroyAttempts: p.destroyAttempts,
      retryAt: p.retryAt,
      reason: p.reason,
    }));
    if (parsed.values.json) {
      io.stdout(`${JSON.stringify({ lastTick: tick ? { id: tick.id, startedAt: tick.startedAt, finishedAt: tick.finishedAt, problems: tick.summary?.problems ?? [] } : null, environments: rows, previews }, null, 2)}\n`);
      return 0;
    }
    io.stdout(`last reconcile tick: ${tick ? `${when(tick.finishedAt)} (${tick.summary?.problems.length ?? 0} problems)` : 'never'}\n`);
    if (rows.length === 0 && previews.length === 0) {
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
    if (rows.length > 0) printTable(io, header, table);
    if (previews.length > 0) {
      io.stdout('\npreviews:\n');
      printTable(
        io,
        ['REPOSITORY', 'APP', 'ENV', 'PR', 'STATE', 'PRICE/MONTH', 'COST SO FAR', 'EXPIRES', 'WHY'],
        previews.map((p) => [
          p.repository,
          p.app,
          p.environment,
          `#${p.pullRequest}`,
          p.state === 'destroy-failed' ? `destroy-failed (${p.destroyAttempts}x, retry ${when(p.retryAt)})` : p.state,
          p.monthlyUsd === null ? '-' : `$${p.monthlyUsd.toFixed(2)}`,
          `$${p.costSoFarUsd.toFixed(2)}`,
          when(p.expiresAt),
          p.reason ?? '-',
        ]),
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}

function printTable(io: CliIo, header: string[], table: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  for (const row of [header, ...table]) io.stdout(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()}\n`);
}
