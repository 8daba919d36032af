import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../src/jobs/rows.ts';
import { readMetricSamples } from '../../src/store/metric-samples.ts';
import { migrationsFolder } from '../../src/store/migrations-folder.ts';
import { openStore } from '../../src/store/open-store.ts';

const scratch = mkdtempSync(join(tmpdir(), 'slipway-migration-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The migrations folder as it was before samples were keyed per tenant (0000 and 0001). */
function migrationsBeforeTenants(): string {
  const folder = join(scratch, 'drizzle');
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const kept = journal.entries.filter((entry) => entry.tag.startsWith('0000_') || entry.tag.startsWith('0001_'));
  for (const entry of kept) cpSync(join(migrationsFolder, `${entry.tag}.sql`), join(folder, `${entry.tag}.sql`));
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: kept }));
  return folder;
}

test('samples stored before tenants are moved to the one repository whose app has that name; ambiguous ones are dropped', async () => {
  const store = await openStore({ dataDir: 'memory://', migrationsFolder: migrationsBeforeTenants() });
  try {
    const { db } = store;
    await db.execute(sql`insert into installations (id, account_login) values (1, 'acme'), (2, 'rival')`);
    await db.execute(sql`insert into repositories (id, installation_id, full_name) values (10, 1, 'acme/shop'), (20, 2, 'rival/web'), (21, 2, 'rival/other')`);
    await db.execute(sql`insert into apps (repository_id, name) values (10, 'shop'), (20, 'web'), (21, 'web')`);
    // shop: one app of that name; web: two (ambiguous); ghost: none.
    await db.execute(sql`insert into metric_samples (app, service, metric, at, value) values
      ('shop', 'api', 'cpu', '2026-01-05T00:00:00.123Z', 12.5),
      ('shop', 'api', 'cpu', '2026-01-05T00:01:00Z', 13),
      ('shop', 'api', 'cpu', '2026-01-06T00:00:00Z', 99.75),
      ('web', 'api', 'cpu', '2026-01-05T00:00:00Z', 1),
      ('ghost', 'api', 'cpu', '2026-01-05T00:00:00Z', 1)`);
    await store.migrate(migrationsFolder);
    const read = await readMetricSamples(db, { installationId: 1, repositoryId: 10 }, 'shop', 'api', 'cpu', new Date('2026-01-01'), new Date('2026-02-01'));
    assert.deepEqual(read.map((s) => [s.at.toISOString(), s.value]), [
      ['2026-01-05T00:00:00.123Z', 12.5],
      ['2026-01-05T00:01:00.000Z', 13],
      ['2026-01-06T00:00:00.000Z', 99.75],
    ]);
    const chunks = rowsOf(await db.execute(sql`select app, count(*)::int as n from metric_chunks group by app order by app`));
    assert.deepEqual(chunks.map((r) => [r.app, Number(r.n)]), [['shop', 2]]);
  } finally {
    await store.close();
  }
});
