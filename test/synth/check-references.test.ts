import test from 'node:test';
import assert from 'node:assert/strict';
import { checkReferences, expressionsOf } from '../../src/synth/check-references.ts';
import { componentOf } from '../../src/synth/component-of.ts';
import { awsName, cronToAws } from '../../stacks/naming.ts';

const doc = {
  resource: {
    aws_sqs_queue: { q: { name: 'q' } },
    aws_iam_role: { r: { name: '${aws_sqs_queue.q.arn}', depends_on: ['aws_sqs_queue.q', 'aws_sqs_queue.gone'] } },
    aws_iam_role_policy: { p: { policy: '${jsonencode({"a" = data.aws_vpc.missing.id, "b" = aws_sqs_queue.q.arn})}', role: '$${aws_nope.x.y}' } },
  },
  data: { aws_caller_identity: { me: { provider: 'aws.west' } } },
  provider: { aws: [{ region: 'us-east-1' }] },
  variable: { known: { type: 'string' } },
  output: { o: { value: '${var.known} ${var.unknown}' } },
};

test('dangling references, depends_on entries, variables and provider aliases are all reported', () => {
  assert.deepEqual(checkReferences(doc).sort(), [
    'aws_iam_role.r.depends_on: aws_sqs_queue.gone does not exist',
    'aws_iam_role_policy.p.policy: data.aws_vpc.missing does not exist',
    'data.aws_caller_identity.me.provider: aws.west is not configured',
    'output.o.value: var.unknown is not declared',
  ]);
});

test('expressions are found with nested braces, and escaped $${ is left alone', () => {
  assert.deepEqual(expressionsOf('a ${x} b $${y} ${f({a = 1})}'), ['x', 'f({a = 1})']);
});

test('componentOf reads the tag first, then the construct path, and never names a platform lookup', () => {
  assert.equal(componentOf({ tags: { 'slipway:component': 'web' }, '//': { metadata: { path: 'app/other/x' } } }), 'web');
  assert.equal(componentOf({ '//': { metadata: { path: 'app/db/network/ingress-web' } } }), 'db');
  assert.equal(componentOf({ '//': { metadata: { path: 'app/_platform/vpc' } } }), undefined);
  assert.equal(componentOf({ '//': { metadata: { path: 'platform-main/vpc' } } }), undefined);
  assert.equal(componentOf(null), undefined);
});

test('five-field cron becomes AWS cron with named weekdays and one day field left open', () => {
  assert.equal(cronToAws('0 8 * * 1-5'), 'cron(0 8 ? * MON-FRI *)');
  assert.equal(cronToAws('0 20 * * *'), 'cron(0 20 * * ? *)');
  assert.equal(cronToAws('30 2 1 * *'), 'cron(30 2 1 * ? *)');
  assert.equal(cronToAws('0 0 * * 0,7'), 'cron(0 0 ? * SUN,SUN *)');
  assert.equal(cronToAws('rate(5 minutes)'), 'rate(5 minutes)');
  assert.throws(() => cronToAws('* * *'), RangeError);
});

test('long AWS names are cut to their limit with a stable hash suffix', () => {
  const name = awsName(['a-very-long-application-name', 'preview-pr-12345', 'background-worker'], 32);
  assert.equal(name.length, 32);
  assert.equal(name, awsName(['a-very-long-application-name', 'preview-pr-12345', 'background-worker'], 32));
  assert.notEqual(name, awsName(['a-very-long-application-name', 'preview-pr-12346', 'background-worker'], 32));
  assert.equal(awsName(['shop', 'production', 'web'], 32), 'shop-production-web');
});
