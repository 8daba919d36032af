/** `slipway deployments [--app A] [--env E] [--limit N]`: the latest deployments, newest first. */
import type { CliIo } from './io.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const usage = `Usage: slipway deployments [--app NAME] [--env NAME] [--limit N]

Lists deployments, newest first (default 20): id, app, environment, commit, status, when, URL.
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('deployments', args, { app: { type: 'string' }, env: { type: 'string' }, limit: { type: 'string', default: '20' } }, usage, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length > 0) {
    io.stderr(`slipway deployments: unexpected argument "${positionals[0]}"\n${usage}`);
    return 2;
  }
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    io.stderr(`slipway deployments: --limit must be a whole number 1–1000, not "${values.limit}"\n`);
    return 2;
  }
  const [{ openStore }, { storeOptionsFromEnv }, { StoreError }, { listDeployments }] = await Promise.all([
    import('../store/open-store.ts'),
    import('../store/store-options.ts'),
    import('../store/store-error.ts'),
    import('../store/deployment-runs.ts'),
  ]);
  let store;
  try {
    store = await openStore(storeOptionsFromEnv(io.env, io.cwd));
  } catch (error) {
    if (error instanceof StoreError) {
      io.stderr(`slipway deployments: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  try {
    const rows = await listDeployments(store.db, { ...(values.app ? { app: values.app } : {}), ...(values.env ? { environment: values.env } : {}), limit });
    if (rows.length === 0) {
      io.stdout('no deployments\n');
      return 0;
    }
    const table = rows.map((d) => [
      String(d.id),
      d.app,
      d.environment,
      d.commitSha.slice(0, 12),
      d.status,
      (d.finishedAt ?? d.createdAt).toISOString().replace(/\.\d+Z$/, 'Z'),
      firstUrl(d.outputs) ?? (d.failure ? `${d.failure.step}: ${d.failure.message}` : ''),
    ]);
    const header = ['ID', 'APP', 'ENV', 'COMMIT', 'STATUS', 'WHEN', 'URL / ERROR'];
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    for (const row of [header, ...table]) io.stdout(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

/** The first output whose value is an http(s) URL (a web service's `<name>_url`). */
function firstUrl(outputs: Record<string, { sensitive: boolean; value?: unknown }> | null): string | undefined {
  for (const output of Object.values(outputs ?? {})) {
    if (!output.sensitive && typeof output.value === 'string' && /^https?:\/\//.test(output.value)) return output.value;
  }
  return undefined;
}
