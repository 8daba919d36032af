import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decideRecommendation,
  lastMeasuredRecommendation,
  openRecommendations,
  recommendationHistory,
  recommendationsAwaitingEffect,
  recordProposedRecommendations,
  recordRecommendationEffect,
  type ProposedRecommendation,
} from '../../src/store/recommendations.ts';
import { createTenant, forEachEngine, unique } from './engines.ts';

const day = 86_400_000;
const t0 = new Date(Date.UTC(2026, 10, 2, 9));
type Scope = { installationId: number; repositoryId: number };
const proposal = (scope: Scope, app: string, fingerprint: string, over: Partial<ProposedRecommendation> = {}): ProposedRecommendation => ({
  ...scope,
  app, environment: 'production', service: 'web', kind: 'instances', fingerprint, body: { title: `web: ${fingerprint}` }, monthlySaving: 43.5, pullRequest: 7, commitSha: 'a'.repeat(40), ...over,
});

forEachEngine('recommendation history', (engine) => {
  test('proposing the same recommendation again updates one row: where and when it was last proposed', async () => {
    const { db } = engine.store();
    const scope = await createTenant(db);
    const app = unique('shop');
    const [first] = await recordProposedRecommendations(db, [proposal(scope, app, 'f1')], t0);
    const [again] = await recordProposedRecommendations(db, [proposal(scope, app, 'f1', { pullRequest: 9, commitSha: 'b'.repeat(40), monthlySaving: 40 })], new Date(t0.getTime() + day));
    assert.equal(again.id, first.id);
    assert.equal(again.pullRequest, 9);
    assert.equal(again.monthlySaving, 40);
    assert.equal(again.createdAt.getTime(), t0.getTime());
    assert.equal(again.updatedAt.getTime(), t0.getTime() + day);
    assert.equal((await recommendationHistory(db, scope, app, 'production')).length, 1);
  });

  test('a new proposal of the same service and kind supersedes the open one; proposing that again reopens it', async () => {
    const { db } = engine.store();
    const scope = await createTenant(db);
    const app = unique('shop');
    await recordProposedRecommendations(db, [proposal(scope, app, 'old')], t0);
    await recordProposedRecommendations(db, [proposal(scope, app, 'new'), proposal(scope, app, 'cpu', { kind: 'cpu' })], new Date(t0.getTime() + day));
    const open = await openRecommendations(db, scope, app, 'production');
    assert.deepEqual(open.map((r) => r.fingerprint), ['new', 'cpu']);
    const history = await recommendationHistory(db, scope, app, 'production');
    const old = history.find((r) => r.fingerprint === 'old');
    assert.equal(old?.status, 'superseded');
    assert.equal(old?.decidedAt?.getTime(), t0.getTime() + day);
    await recordProposedRecommendations(db, [proposal(scope, app, 'old')], new Date(t0.getTime() + 2 * day));
    assert.deepEqual((await openRecommendations(db, scope, app, 'production')).map((r) => r.fingerprint).sort(), ['cpu', 'old']);
  });

  test('an accepted recommendation waits for its effect, then is the last measured one of its kind', async () => {
    const { db } = engine.store();
    const scope = await createTenant(db);
    const app = unique('shop');
    const [a] = await recordProposedRecommendations(db, [proposal(scope, app, 'f1')], t0);
    await decideRecommendation(db, a.id, 'accepted', new Date(t0.getTime() + day), 'c'.repeat(40));
    assert.equal((await openRecommendations(db, scope, app, 'production')).length, 0);
    assert.deepEqual(await recommendationsAwaitingEffect(db, scope, app, 'production', t0), [], 'not decided before t0');
    const waiting = await recommendationsAwaitingEffect(db, scope, app, 'production', new Date(t0.getTime() + 8 * day));
    assert.deepEqual(waiting.map((r) => [r.id, r.decidedSha]), [[a.id, 'c'.repeat(40)]]);
    assert.equal(await lastMeasuredRecommendation(db, { ...scope, app, environment: 'production', service: 'web', kind: 'instances' }), undefined);
    const effect = { beforeMonthly: 144.16, afterMonthly: 100.9, saving: 43.26, beforeDays: 7, afterDays: 7, basis: 'recorded tasks' };
    await recordRecommendationEffect(db, a.id, effect, new Date(t0.getTime() + 8 * day));
    const last = await lastMeasuredRecommendation(db, { ...scope, app, environment: 'production', service: 'web', kind: 'instances' });
    assert.deepEqual(last?.effect, effect);
    assert.equal(last?.measuredAt?.getTime(), t0.getTime() + 8 * day);
    assert.deepEqual(await recommendationsAwaitingEffect(db, scope, app, 'production', new Date(t0.getTime() + 30 * day)), []);
  });

  test('tenants, apps and environments keep their histories apart', async () => {
    const { db } = engine.store();
    const scope = await createTenant(db);
    const app = unique('shop');
    await recordProposedRecommendations(db, [proposal(scope, app, 'f1'), proposal(scope, app, 'f1', { environment: 'staging' }), proposal(scope, unique('other'), 'f1'), proposal(await createTenant(db), app, 'f1')], t0);
    assert.equal((await openRecommendations(db, scope, app, 'production')).length, 1);
    assert.equal((await openRecommendations(db, scope, app, 'staging')).length, 1);
  });
});
