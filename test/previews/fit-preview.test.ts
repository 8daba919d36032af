// Holding a preview to its dollar caps: what is shrunk, the figures, and when it is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadAppsFromFiles, type LoadedApp } from '../../src/config/load.ts';
import { capsFor, fitPreview, overCap, priceConfig } from '../../src/previews/fit-preview.ts';
import { shrinkPreview } from '../../src/previews/shrink-preview.ts';
import { costSoFar, repriced } from '../../src/previews/cost-so-far.ts';
import { resolveEnvironment } from '../../src/config/resolve-environment.ts';

const yaml = (previews: string) => `version: 1
name: shop
services:
  web: { type: web, image: ghcr.io/acme/shop:latest, cpu: 1, memory: 2Gi, instances: { min: 2, max: 6 } }
  worker: { type: worker, image: ghcr.io/acme/shop:latest, instances: 3 }
resources:
  db: { type: postgres, size: large, highAvailability: true, deletionProtection: true }
  cache: { type: redis, size: medium, replicas: 2 }
previews:
  enabled: true
${previews}`;

function app(previews = ''): LoadedApp {
  const loaded = loadAppsFromFiles({ 'paas.yaml': yaml(previews) });
  assert.deepEqual(loaded.errors, []);
  return loaded.apps[0]!;
}

describe('shrinking a preview', () => {
  it('asks for one instance, the smallest Fargate size and database class, single-AZ, no replicas and no deletion protection, and says so', () => {
    const { config } = app();
    const { override, shrunk } = shrinkPreview(resolveEnvironment(config, 'pr-3'));
    assert.deepEqual(override, {
      services: { web: { instances: 1, cpu: 0.25, memory: '512Mi' }, worker: { instances: 1 } },
      resources: { db: { size: 'micro', highAvailability: false, deletionProtection: false }, cache: { size: 'micro', replicas: 0 } },
    });
    assert.ok(shrunk.includes('web: instances {"min":2,"max":6} → 1'));
    assert.ok(shrunk.includes('db: deletionProtection true → false'));
  });
});

describe('the caps', () => {
  it('takes the smaller of the app’s and the server’s per-preview cap, and the app’s total', () => {
    const { config } = app('  maxMonthly: 80\n  totalMonthly: 200\n');
    assert.deepEqual(capsFor(config, { maxMonthly: 50 }, 120), { perPreview: 50, total: 200, othersMonthly: 120 });
    assert.deepEqual(capsFor(config, {}, 0), { perPreview: 80, total: 200, othersMonthly: 0 });
    assert.equal(overCap(60, { perPreview: 50, othersMonthly: 0 }), '$60.00/month is over the cap of $50.00/month per preview');
    assert.match(overCap(90, { total: 200, othersMonthly: 120 }) ?? '', /with the app's other open previews \(\$120\.00\/month\) is over the cap of \$200\.00\/month for all previews/);
    assert.equal(overCap(null, { perPreview: 1, othersMonthly: 0 }), undefined, 'not priced: not judged');
  });

  it('leaves a preview within its caps as written, shrinks one over them, and refuses one over them even shrunk', () => {
    const loaded = app();
    const asWritten = priceConfig(resolveEnvironment(loaded.config, 'pr-3'), 'abc')!;
    const within = fitPreview({ app: loaded, environment: 'pr-3', sha: 'abc', caps: { perPreview: asWritten + 1, othersMonthly: 0 } });
    assert.deepEqual(within.decision.shrunk, []);
    assert.equal(within.decision.monthly, asWritten);

    const shrunk = fitPreview({ app: loaded, environment: 'pr-3', sha: 'abc', caps: { perPreview: asWritten - 1, othersMonthly: 0 } });
    assert.ok(shrunk.decision.monthly! < asWritten / 2, `${shrunk.decision.monthly} against ${asWritten}`);
    assert.equal(shrunk.decision.monthlyBefore, asWritten);
    assert.equal(shrunk.decision.refused, undefined);
    const web = shrunk.synthesized.config.services.web!;
    assert.equal(web.type === 'web' ? web.cpu : undefined, 0.25);

    const refused = fitPreview({ app: loaded, environment: 'pr-3', sha: 'abc', caps: { perPreview: 1, othersMonthly: 0 } });
    assert.match(refused.decision.refused ?? '', /^\$\d+\.\d\d\/month is over the cap of \$1\.00\/month per preview, even shrunk$/);
  });
});

describe('cost so far', () => {
  it('is the hours up times the hourly price, banked when the price changes', () => {
    const start = new Date('2026-12-01T00:00:00Z');
    const p = { costSoFarUsd: 0, monthlyUsd: 73, pricedSince: start };
    assert.equal(costSoFar(p, new Date('2026-12-01T10:00:00Z')), 1); // 10 h × $73/730 h
    const changed = repriced(p, 146, new Date('2026-12-01T10:00:00Z'));
    assert.equal(costSoFar(changed, new Date('2026-12-01T15:00:00Z')), 2); // $1 banked + 5 h × $0.20
    const stopped = repriced(changed, null, new Date('2026-12-01T15:00:00Z'));
    assert.equal(costSoFar(stopped, new Date('2026-12-09T00:00:00Z')), 2);
  });
});
