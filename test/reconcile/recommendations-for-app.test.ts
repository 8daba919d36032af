import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadAppsFromFiles } from '../../src/config/load.ts';
import { recommendationsForApp } from '../../src/reconcile/recommendations-for-app.ts';
import { insertMetricSeries, type SampleScope } from '../../src/store/metric-samples.ts';
import { recommendationHistory } from '../../src/store/recommendations.ts';
import { createTenant, forEachEngine, unique } from '../store/engines.ts';

const day = 86_400_000;
const t0 = Date.UTC(2026, 10, 2);

function appWith(name: string, instances: string) {
  const loaded = loadAppsFromFiles({ 'paas.yaml': `version: 1\nname: ${name}\nregion: us-east-1\nservices:\n  web:\n    type: web\n    image: nginx\n    cpu: 1\n    memory: 2Gi\n    instances: ${instances}\n` });
  assert.deepEqual(loaded.errors, []);
  return loaded.apps[0]!;
}

/** Running tasks and cpu of `web` from `from` for `days` days, 5-minute samples. */
async function record(db: Parameters<typeof insertMetricSeries>[0], scope: SampleScope, app: string, from: number, days: number, tasks: number, cpu: number) {
  const times: number[] = [];
  for (let t = from; t < from + days * day; t += 300_000) times.push(t);
  await insertMetricSeries(db, { ...scope, app, service: 'web', metric: 'instances', times, values: times.map(() => tasks) });
  await insertMetricSeries(db, { ...scope, app, service: 'web', metric: 'cpu', times, values: times.map((t) => cpu + Math.sin(t / 3_600_000)) });
}

forEachEngine('recommendations on a pull request keep their history', (engine) => {
  test('records a proposal, accepts it when a head applies it, measures its effect a week on, and the next proposal says what it saved', async () => {
    const { db } = engine.store();
    const scope = await createTenant(db);
    const name = unique('shop');
    // Four tasks of 1 vCPU at about 10 %: 0.4 vCPU of load, which one task holds.
    await record(db, scope, name, t0 - 7 * day, 7, 4, 10);
    const before = appWith(name, '4');
    const first = await recommendationsForApp(db, scope, before, new Date(t0), { pullRequest: 7, commitSha: 'a'.repeat(40) });
    const proposal = first.find((s) => s.kind === 'instances');
    assert.ok(proposal?.change?.field === 'instances', JSON.stringify(first.map((s) => s.kind)));
    const to = proposal.change.to as { min: number; max: number };
    let [row] = (await recommendationHistory(db, scope, name, 'production')).filter((r) => r.kind === 'instances');
    assert.deepEqual([row.status, row.pullRequest, row.commitSha], ['open', 7, 'a'.repeat(40)]);

    // A later head applies it: accepted at that commit.
    const applied = appWith(name, `{ min: ${to.min}, max: ${to.max} }`);
    await recommendationsForApp(db, scope, applied, new Date(t0 + day), { pullRequest: 8, commitSha: 'b'.repeat(40) });
    [row] = (await recommendationHistory(db, scope, name, 'production')).filter((r) => r.id === row.id);
    assert.deepEqual([row.status, row.decidedSha, row.decidedAt?.getTime()], ['accepted', 'b'.repeat(40), t0 + day]);

    // A week on, one task ran instead of four: the effect is measured from the recorded tasks.
    await record(db, scope, name, t0 + day, 8, 1, 40);
    const later = await recommendationsForApp(db, scope, before, new Date(t0 + 9 * day), { pullRequest: 9, commitSha: 'c'.repeat(40) });
    [row] = (await recommendationHistory(db, scope, name, 'production')).filter((r) => r.id === row.id);
    // 4 → 1 task of 1 vCPU / 2 GiB: 3 × (0.04048 + 2 × 0.004445) × 730 = $108.12 a month.
    assert.deepEqual(row.effect, { beforeMonthly: 144.16, afterMonthly: 36.04, saving: 108.12, beforeDays: 7, afterDays: 7, basis: 'recorded tasks' });
    const again = later.find((s) => s.kind === 'instances');
    assert.ok(again, 'the old paas.yaml gets the instances recommendation again');
    assert.match(again.detail, /Last time: the instances recommendation for web accepted on 2026-11-03 saved \$108\.12\/month/);
  });

  test('without a pull request, nothing is recorded', async () => {
    const { db } = engine.store();
    const scope = await createTenant(db);
    const name = unique('shop');
    await record(db, scope, name, t0 - 7 * day, 7, 4, 10);
    const summaries = await recommendationsForApp(db, scope, appWith(name, '4'), new Date(t0));
    assert.ok(summaries.length > 0);
    assert.deepEqual(await recommendationHistory(db, scope, name, 'production'), []);
  });
});
