import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { priceTables, pricedRegions } from '../../src/cost/prices/index.ts';
import type { Price } from '../../src/cost/prices/index.ts';
import { postgresInstanceClass, redisNodeType } from '../../stacks/sizes.ts';

function prices(value: unknown, path: string, out: [string, Price][] = []): [string, Price][] {
  if (value && typeof value === 'object' && 'usd' in value) out.push([path, value as Price]);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (k !== 'region') prices(v, `${path}.${k}`, out);
  return out;
}

describe('price tables', () => {
  it('cover the four regions the issue asks for', () => {
    assert.deepEqual([...pricedRegions].sort(), ['eu-central-1', 'eu-west-1', 'us-east-1', 'us-west-2']);
  });

  it('give every price an amount, a unit, an AWS source page and a date', () => {
    for (const region of pricedRegions) {
      for (const [path, price] of prices(priceTables[region], region)) {
        assert.ok(price.usd > 0 && Number.isFinite(price.usd), `${path}: ${price.usd}`);
        assert.ok(price.unit.length > 0, `${path}: unit`);
        assert.match(price.source, /^https:\/\/aws\.amazon\.com\//, `${path}: source`);
        assert.match(price.asOf, /^\d{4}-\d{2}$/, `${path}: date`);
      }
    }
  });

  it('have the same entries in every region', () => {
    const keys = (region: string) => prices(priceTables[region], '').map(([p]) => p).sort();
    for (const region of pricedRegions) assert.deepEqual(keys(region), keys('us-east-1'), region);
  });

  it('price every instance class and node type synthesis can choose', () => {
    for (const region of pricedRegions) {
      for (const cls of Object.values(postgresInstanceClass)) assert.ok(priceTables[region].rds.instance[cls], `${region} ${cls}`);
      for (const node of Object.values(redisNodeType)) assert.ok(priceTables[region].elasticache.node[node], `${region} ${node}`);
    }
  });
});
