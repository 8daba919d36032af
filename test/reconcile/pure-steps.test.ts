// The pure parts of the tick: which delivery guids to redeliver, and the drift report built from
// Terraform's two plans (the attributes that differ, outside vs desired, secrets masked).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driftReport } from '../../src/plan/drift-report.ts';
import type { ResourceChange } from '../../src/plan/types.ts';
import { failedGuids } from '../../src/reconcile/redeliver-failed.ts';
import type { HookDeliveryAttempt } from '../../src/github/list-hook-deliveries.ts';

const attempt = (id: number, guid: string, statusCode: number): HookDeliveryAttempt => ({ id, guid, statusCode, deliveredAt: new Date(), redelivery: false, event: 'push', action: null, installationId: 1, repositoryId: 2 });

describe('failedGuids', () => {
  it('keeps a guid none of whose attempts succeeded, with its newest attempt; drops one that succeeded once', () => {
    const result = failedGuids([attempt(1, 'a', 502), attempt(3, 'a', 0), attempt(2, 'b', 500), attempt(4, 'b', 202), attempt(5, 'c', 200), attempt(6, 'd', 404)]);
    assert.deepEqual([...result.keys()].sort(), ['a', 'd']);
    assert.equal(result.get('a')!.id, 3);
  });
});

const change = (over: Partial<ResourceChange>): ResourceChange => ({ address: 'terraform_data.web', type: 'terraform_data', name: 'web', mode: 'managed', action: 'update', changes: [], ...over });
const none = { source: 'terraform' as const, resources: [], summary: { create: 0, update: 0, replace: 0, delete: 0, 'no-op': 0, read: 0 } };

describe('driftReport', () => {
  it('counts resources and attributes, outside from the plan’s before and desired from its after, computed attributes left out', () => {
    const plan = {
      ...none,
      resources: [
        change({ changes: [{ path: 'input.cpu', before: 2, after: 0.25, sensitive: false }, { path: 'output', before: {}, after: null, sensitive: false, unknownAfter: true }] }),
        change({ address: 'aws_s3_bucket.gone', type: 'aws_s3_bucket', name: 'gone', action: 'create', changes: [] }),
        change({ address: 'data.x.y', mode: 'data', action: 'read' }),
        change({ address: 'terraform_data.same', action: 'no-op' }),
      ],
    };
    const report = driftReport({ refreshed: [], plan, redact: (t) => t });
    assert.deepEqual(report.counts, { resources: 2, attributes: 1 });
    assert.deepEqual(report.resources.map((r) => [r.address, r.action]), [['aws_s3_bucket.gone', 'create'], ['terraform_data.web', 'update']]);
    assert.deepEqual(report.resources[1]!.attributes, [{ path: 'input.cpu', outside: 2, desired: 0.25, sensitive: false }]);
  });

  it('reads a refresh-only change as the real object moving away from what was recorded, and merges it with the plan of the same resource', () => {
    const refreshed = [change({ address: 'aws_instance.a', type: 'aws_instance', changes: [{ path: 'instance_type', before: 't3.small', after: 't3.large', sensitive: false }] })];
    const plan = { ...none, resources: [change({ address: 'aws_instance.a', type: 'aws_instance', changes: [{ path: 'instance_type', before: 't3.large', after: 't3.small', sensitive: false }] })] };
    const report = driftReport({ refreshed, plan, redact: (t) => t });
    assert.deepEqual(report.counts, { resources: 1, attributes: 1 });
    assert.deepEqual(report.resources[0]!.seenBy, ['refresh', 'plan']);
    assert.deepEqual(report.resources[0]!.attributes[0], { path: 'instance_type', outside: 't3.large', desired: 't3.small', sensitive: false });
  });

  it('masks sensitive attributes, attributes named like secrets, and known secret values inside others', () => {
    const plan = {
      ...none,
      resources: [
        change({
          changes: [
            { path: 'password', before: 'hunter2-old', after: 'hunter2-new', sensitive: true },
            { path: 'input.env.STRIPE_API_KEY', before: 'sk_live_1', after: 'sk_live_2', sensitive: false },
            { path: 'input.url', before: 'postgres://u:pw-abcdef@h/db', after: 'postgres://u:pw-ghijkl@h/db', sensitive: false },
          ],
        }),
      ],
    };
    const report = driftReport({ refreshed: [], plan, redact: (t) => t.replaceAll('pw-abcdef', '***').replaceAll('pw-ghijkl', '***') });
    const text = JSON.stringify(report);
    for (const secret of ['hunter2', 'sk_live', 'pw-abcdef', 'pw-ghijkl']) assert.ok(!text.includes(secret), secret);
    assert.deepEqual(report.resources[0]!.attributes.map((a) => a.outside), ['(sensitive)', '(sensitive)', 'postgres://u:***@h/db']);
  });
});
