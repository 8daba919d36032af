/** `slipway deployments [--app A] [--env E] [--limit N]`: the latest deployments, newest first. */
import type { CliIo } from './io.ts';
import { openCliStore } from './open-cli-store.ts';
import { parseCommandArgs, parseLimit } from './parse-command-args.ts';

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
  const limit = parseLimit('deployments', values.limit, io);
  if (Number.isNaN(limit)) return 2;
  const [{ listDeployments }] = await Promise.all([
    import('../store/deployment-runs.ts'),
  ]);
  const store = await openCliStore('deployments', io);
  if (!store) return 1;
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
