/**
 * How often a schedule fires, worked out by hand over AWS's 730-hour month (30.4167 days), and the
 * cost change between two estimates line by line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffCost } from '../../src/cost/diff-cost.ts';
import { estimateCost } from '../../src/cost/estimate-cost.ts';
import { priceTables } from '../../src/cost/prices/index.ts';
import { runsPerMonth } from '../../src/cost/runs-per-month.ts';

const near = (actual: number | undefined, expected: number, label = '') => assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${label}: ${actual} ≠ ${expected}`);
const days = 730 / 24;

describe('runsPerMonth', () => {
  it('reads rates in minutes, hours and days, with spaces and singular units', () => {
    near(runsPerMonth('rate(1 minute)'), 43_800);
    near(runsPerMonth('rate( 10  minutes )'), 4_380);
    near(runsPerMonth('rate(2 hours)'), 365);
    near(runsPerMonth('rate(1 hour)'), 730);
    near(runsPerMonth('rate(1 day)'), days);
    near(runsPerMonth('rate(3 days)'), days / 3);
    near(runsPerMonth('  rate(12 hours)  '), 60.8333333333333, 'trimmed');
  });

  it('refuses rates it cannot read', () => {
    for (const e of ['rate(0 minutes)', 'rate(5 weeks)', 'rate(minutes)', 'rate(5minutes)', 'rate(5 minutes) extra', 'xrate(5 minutes)', 'rate(-5 minutes)', 'rate(1.5 hours)']) {
      assert.equal(runsPerMonth(e), undefined, e);
    }
  });

  it('counts a one-off at() as nothing a month', () => {
    assert.equal(runsPerMonth('at(2026-01-01T00:00:00)'), 0);
    assert.equal(runsPerMonth(' at(2026-01-01T00:00:00)'), 0);
    assert.equal(runsPerMonth('xat(2026-01-01T00:00:00)'), undefined);
  });

  it('counts cron fields: lists, ranges, steps, names and wildcards', () => {
    near(runsPerMonth('cron(0 3 * * ? *)'), days, 'daily');
    near(runsPerMonth('cron(0,30 3 * * ? *)'), 2 * days, 'two minutes a day');
    near(runsPerMonth('cron(0 9-17 ? * MON-FRI *)'), 9 * (days * 5) / 7, 'office hours');
    near(runsPerMonth('cron(0 */6 * * ? *)'), 4 * days, 'every 6 hours');
    near(runsPerMonth('cron(0 8/4 * * ? *)'), 4 * days, '8, 12, 16, 20');
    near(runsPerMonth('cron(0 0-23/12 * * ? *)'), 2 * days);
    near(runsPerMonth('cron(0 12 ? * SAT,SUN *)'), (days * 2) / 7, 'weekends');
    near(runsPerMonth('cron(0 12 ? * 2-6 *)'), (days * 5) / 7, 'days of the week by number');
    near(runsPerMonth('cron(0 12 ? * * *)'), days);
    near(runsPerMonth('cron(15 10 1 * ? *)'), 1, 'the first of each month');
    near(runsPerMonth('cron(15 10 1,15 * ? *)'), 2);
    near(runsPerMonth('cron(15 10 1-31 * ? *)'), days, 'every day of the month, capped at an average month');
    near(runsPerMonth('cron(0 0 1 JAN ? *)'), 1 / 12, 'once a year');
    near(runsPerMonth('cron(0 0 1 1-6 ? *)'), 6 / 12);
    near(runsPerMonth('cron(0 0 L * ? *)'), 1, 'the last day of the month');
    near(runsPerMonth('cron(0 0 15W * ? *)'), 1, 'the weekday nearest the 15th');
    near(runsPerMonth('cron(0 0 ? * 6#3 *)'), days / 7, 'the third Friday, counted as one weekday');
    near(runsPerMonth('cron(0 0 ? * 5L *)'), days / 7);
    near(runsPerMonth('cron( 0  3 * * ? * )'), days, 'extra spaces');
  });

  it('refuses cron expressions it cannot read', () => {
    for (const e of ['cron(0 3 * * ?)', 'cron(0 3 * * ? * *)', 'cron(0 3/0 * * ? *)', 'cron(0 5-3 * * ? *)', 'cron(0 3 * FOO ? *)', 'cron(0 3 * * ? *) extra',
      'cron()', 'cron(0 3 * * MONDAY *)', 'cron(0 3 ? * MON-FOO *)', 'cron(0 3 ? * FOO-MON *)', 'cron(0 x-y * * ? *)', 'cron(0 3 ? * 2##1 *)', 'cron(0 3 32/x * ? *)']) {
      assert.equal(runsPerMonth(e), undefined, e);
    }
  });
});

describe('diffCost', () => {
  const tag = (c: string) => ({ tags: { 'slipway:component': c } });
  const before = estimateCost({ resource: {
    aws_kms_key: { kept: tag('keys'), gone: tag('keys') },
    aws_route53_zone: { z: {} },
  } }, { region: 'us-east-1' });
  const after = estimateCost({ resource: {
    aws_kms_key: { kept: tag('keys'), added: tag('keys') },
    aws_route53_zone: { z: tag('dns') },
  } }, { region: 'us-east-1' });
  const diff = diffCost(before, after);
  const line = (address: string) => diff.lines.find((l) => l.address === address)!;

  it('says of each line whether it was there before and after', () => {
    assert.deepEqual(diff.lines.map((l) => [l.address, l.before, l.after, l.inBefore, l.inAfter]), [
      ['aws_kms_key.kept', 1, 1, true, true],
      ['aws_kms_key.added', 0, 1, false, true],
      ['aws_route53_zone.z', 0.5, 0.5, true, true],
      ['aws_kms_key.gone', 1, 0, true, false],
    ]);
  });

  it('keeps the component a line had before when it has none now, and the new one when it has', () => {
    assert.equal(line('aws_kms_key.gone').component, 'keys');
    assert.equal(line('aws_route53_zone.z').component, 'dns');
    const untagged = diffCost(estimateCost({ resource: { aws_kms_key: { k: tag('keys') } } }, { region: 'us-east-1' }), estimateCost({ resource: { aws_kms_key: { k: {} } } }, { region: 'us-east-1' }));
    assert.equal(untagged.lines[0]!.component, 'keys');
    const none = diffCost(null, estimateCost({ resource: { aws_kms_key: { k: {} } } }, { region: 'us-east-1' }));
    assert.equal('component' in none.lines[0]!, false);
  });

  it('sums before, after and delta per component', () => {
    // keys: before 2 (kept, gone), after 2 (kept, added); dns 0.5 → 0.5 (it was shared before); shared 0 → 0.
    assert.deepEqual(diff.byComponent, { keys: { before: 2, after: 2, delta: 0 }, dns: { before: 0.5, after: 0.5, delta: 0 } });
    assert.equal(diff.delta, 0);
    assert.equal(diff.deltaPercent, 0);
  });
});

describe('price tables name their own region', () => {
  it('carries the region it prices', () => {
    for (const region of ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1']) assert.equal(priceTables[region]!.region, region);
  });
});
