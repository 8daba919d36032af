import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/cli/metrics.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { recommendFromStore } from '../../src/recommend/recommend-from-store.ts';
import { readMetricSamples } from '../../src/store/metric-samples.ts';
import { upsertInstallation } from '../../src/store/installations.ts';
import { openStore } from '../../src/store/open-store.ts';
import { upsertRepositories } from '../../src/store/repositories.ts';
import { minute, monday } from './synthetic.ts';

function capture(cwd: string, env: Record<string, string>): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { cwd, env, stdout: (t) => void (out += t), stderr: (t) => void (err += t), out: () => out, err: () => err };
}

describe('slipway metrics import and the store source', () => {
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-metrics-'));
    env = { SLIPWAY_DATA_DIR: dir }; // the database is dir/db, as for slipway serve
    // Three days at 5-minute steps, 20 % of 2 vCPU, as a CloudWatch-style CSV.
    const rows = Array.from({ length: 3 * 288 }, (_, i) => `${new Date(monday + i * 5 * minute).toISOString().replace('T', ' ').slice(0, 19)},20`);
    await writeFile(join(dir, 'cpu.csv'), `timestamp,value\n${rows.join('\n')}\n`);
    await writeFile(join(dir, 'bad.csv'), 'timestamp,value\n2026-01-05 00:00:00,-3\n');
    await writeFile(join(dir, 'future.csv'), 'timestamp,value\n2026-01-05 00:00:00,3\n100000000000000000000,4\n');
    // The repository Slipway serves (recorded from GitHub's installation events in a real service).
    const store = await openStore({ dataDir: join(dir, 'db') });
    try {
      await upsertInstallation(store.db, { id: 41, accountLogin: 'acme' });
      await upsertRepositories(store.db, 41, [{ id: 4100, fullName: 'acme/shop' }]);
    } finally {
      await store.close();
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('imports a CSV into the store, and the engine reads it back', async () => {
    const io = capture(dir, env);
    assert.equal(await run(['import', 'cpu.csv', '--repo', 'acme/shop', '--app', 'shop', '--service', 'web', '--metric', 'cpu'], io), 0, io.err());
    assert.equal(io.out(), 'imported 864 cpu sample(s) for acme/shop shop/web\n');
    const store = await openStore({ dataDir: join(dir, 'db') });
    try {
      const config = {
        name: 'shop',
        region: 'us-east-1',
        services: { web: { type: 'web' as const, port: 8080, cpu: 2, memory: '4Gi', instances: 2 } },
      };
      const recs = await recommendFromStore((app, service, metric, from, to) => readMetricSamples(store.db, { installationId: 41, repositoryId: 4100 }, app, service, metric, from, to), config, monday + 3 * 24 * 60 * minute);
      assert.equal(recs.length, 1);
      assert.equal(recs[0].status, 'ok');
      assert.equal(recs[0].samples, 864);
      // 20 % of 2 vCPU = 0.4 vCPU; × 1.15 × (1 + 1/3) ≈ 0.61 → 1 vCPU.
      assert.equal(recs[0].cpu?.recommended, 1);
    } finally {
      await store.close();
    }
  });

  it('refuses impossible samples, unknown repositories and usage errors with one clear line, never a raw query', async () => {
    const flags = ['--app', 'shop', '--service', 'web', '--metric', 'cpu'];
    const cases: [string[], number, RegExp][] = [
      [['import', 'bad.csv', '--repo', 'acme/shop', ...flags], 1, /^slipway metrics: bad\.csv: web\.cpu data row 1 value: -3 is negative/],
      [['import', 'future.csv', '--repo', 'acme/shop', ...flags], 1, /^slipway metrics: future\.csv: web\.cpu data row 2 time: 100000000000000000000 is not a possible sample time/],
      [['import', 'cpu.csv', '--repo', 'nobody/shop', ...flags], 1, /^slipway metrics: repository nobody\/shop is not one Slipway serves/],
      [['import', 'cpu.csv', ...flags], 2, /--repo, --app, --service and --metric are required/],
      [['import', 'cpu.csv', '--repo', 'acme', ...flags], 2, /--repo must be a repository as owner\/name/],
      [['import', 'cpu.csv', '--repo', 'acme/shop', '--app', 'shop', '--service', 'web', '--metric', 'disk'], 2, /--metric must be one of cpu, memory, requests, instances/],
      [['import', 'cpu.csv', '--repo', 'acme/shop', '--app', 'Shop!', '--service', 'web', '--metric', 'cpu'], 2, /must be paas\.yaml names/],
      [['export', 'cpu.csv'], 2, /unknown subcommand "export"/],
      [['import', 'missing.csv', '--repo', 'acme/shop', ...flags], 1, /missing\.csv: no such file/],
    ];
    for (const [args, code, message] of cases) {
      const io = capture(dir, env);
      assert.equal(await run(args, io), code, `${args.join(' ')}: ${io.err()}`);
      assert.match(io.err(), message);
      assert.doesNotMatch(io.err(), /Failed query|insert into/);
    }
  });

  it('a store that cannot take the samples is one line with the reason, not the query', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'slipway-metrics-broken-'));
    try {
      const store = await openStore({ dataDir: join(broken, 'db') });
      await upsertInstallation(store.db, { id: 42, accountLogin: 'acme' });
      await upsertRepositories(store.db, 42, [{ id: 4200, fullName: 'acme/shop' }]);
      await store.db.execute('drop table metric_chunks');
      await store.close();
      await writeFile(join(broken, 'cpu.csv'), `timestamp,value\n2026-01-05 00:00:00,20\n`);
      const io = capture(broken, { SLIPWAY_DATA_DIR: broken });
      assert.equal(await run(['import', 'cpu.csv', '--repo', 'acme/shop', '--app', 'shop', '--service', 'web', '--metric', 'cpu'], io), 1);
      assert.match(io.err(), /^slipway metrics: the store could not take the samples: .*metric_chunks.* does not exist\n$/);
      assert.doesNotMatch(io.err(), /Failed query|insert into|params/);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });
});
