import test from 'node:test';
import assert from 'node:assert/strict';
import { synthesize } from '../../src/synth/synthesize.ts';
import { postgresInstanceClass, redisNodeType } from '../../stacks/sizes.ts';
import { aiPipelineInput, microservicesDemoInput, resolved } from './example-configs.ts';
import { only } from './helpers.ts';

const doc = synthesize(resolved(microservicesDemoInput));

test('postgres is encrypted, backed up, protected in production, and RDS keeps its password', () => {
  const db = only(doc, 'aws_db_instance', 'db');
  assert.equal(db.engine, 'postgres');
  assert.equal(db.engine_version, '16');
  assert.equal(db.instance_class, 'db.t4g.small');
  assert.equal(db.allocated_storage, 20);
  assert.equal(db.storage_encrypted, true);
  assert.equal(db.manage_master_user_password, true);
  assert.equal(db.password, undefined);
  assert.equal(db.backup_retention_period, 7);
  assert.equal(db.multi_az, false);
  assert.equal(db.deletion_protection, true);
  assert.equal(db.skip_final_snapshot, false);
  assert.equal(db.publicly_accessible, false);
  assert.match(String(db.db_subnet_group_name), /^\$\{aws_db_subnet_group\.[\w-]+\.name\}$/);
});

test('outside production postgres can be torn down; highAvailability means multi-AZ', () => {
  const input = structuredClone(microservicesDemoInput);
  Object.assign(input.resources.db, { highAvailability: true, size: 'xlarge' });
  const preview = synthesize(resolved(input, 'pr-7'));
  const db = only(preview, 'aws_db_instance', 'db');
  assert.equal(db.deletion_protection, false);
  assert.equal(db.skip_final_snapshot, true);
  assert.equal(db.multi_az, true);
  assert.equal(db.instance_class, 'db.m7g.xlarge');
  assert.equal(db.identifier, 'shop-pr-7-db');
});

test('sizes map to the instance classes cost prices', () => {
  assert.deepEqual(Object.values(postgresInstanceClass), ['db.t4g.micro', 'db.t4g.small', 'db.t4g.medium', 'db.m7g.large', 'db.m7g.xlarge']);
  assert.deepEqual(Object.values(redisNodeType), ['cache.t4g.micro', 'cache.t4g.small', 'cache.t4g.medium', 'cache.m7g.large', 'cache.m7g.xlarge']);
});

test('redis is a replication group encrypted at rest and in transit', () => {
  const redis = only(doc, 'aws_elasticache_replication_group', 'cache');
  assert.equal(redis.node_type, 'cache.t4g.micro');
  assert.equal(redis.at_rest_encryption_enabled, 'true');
  assert.equal(redis.transit_encryption_enabled, true);
  assert.equal(redis.num_cache_clusters, 1);
  assert.equal(redis.automatic_failover_enabled, false);
  assert.ok(String(redis.replication_group_id).length <= 40);
});

test('a queue is encrypted and moves a message to its dead-letter queue after deadLetterAfter receives', () => {
  const queues = Object.values(doc.resource!.aws_sqs_queue);
  const main = queues.find((q) => q.name === 'shop-production-tasks')!;
  const dlq = queues.find((q) => q.name === 'shop-production-tasks-dlq')!;
  assert.equal(main.sqs_managed_sse_enabled, true);
  assert.equal(dlq.sqs_managed_sse_enabled, true);
  assert.equal(main.visibility_timeout_seconds, 30);
  assert.equal(main.message_retention_seconds, 4 * 86400);
  assert.equal(dlq.message_retention_seconds, 14 * 86400);
  const redrive = JSON.parse(String(main.redrive_policy));
  assert.equal(redrive.maxReceiveCount, 5);
  assert.match(redrive.deadLetterTargetArn, /^\$\{aws_sqs_queue\.tasks_dead-letter-queue_[\w-]+\.arn\}$/);
});

test('a FIFO queue and its dead-letter queue both end in .fifo', () => {
  const fifo = synthesize(resolved({ version: 1, name: 'orders', resources: { events: { type: 'queue', fifo: true } } }));
  const names = Object.values(fifo.resource!.aws_sqs_queue).map((q) => q.name).sort();
  assert.deepEqual(names, ['orders-production-events-dlq.fifo', 'orders-production-events.fifo']);
});

test('a bucket is private, encrypted, owner-enforced, TLS-only, versioned and expiring as asked', () => {
  const ai = synthesize(resolved(aiPipelineInput));
  const block = only(ai, 'aws_s3_bucket_public_access_block', 'uploads');
  assert.deepEqual([block.block_public_acls, block.block_public_policy, block.ignore_public_acls, block.restrict_public_buckets], [true, true, true, true]);
  const encryption = only(ai, 'aws_s3_bucket_server_side_encryption_configuration', 'uploads') as Record<string, any>;
  assert.equal(encryption.rule[0].apply_server_side_encryption_by_default.sse_algorithm, 'AES256');
  assert.equal((only(ai, 'aws_s3_bucket_ownership_controls', 'uploads') as Record<string, any>).rule.object_ownership, 'BucketOwnerEnforced');
  assert.equal((only(ai, 'aws_s3_bucket_versioning', 'uploads') as Record<string, any>).versioning_configuration.status, 'Enabled');
  const lifecycle = only(ai, 'aws_s3_bucket_lifecycle_configuration', 'uploads') as Record<string, any>;
  assert.deepEqual(lifecycle.rule.find((r: { id: string }) => r.id === 'expire').expiration, [{ days: 30 }]);
  const deny = JSON.parse(String(only(ai, 'aws_s3_bucket_policy', 'uploads').policy)).Statement[0];
  assert.equal(deny.Effect, 'Deny');
  assert.deepEqual(deny.Condition, { Bool: { 'aws:SecureTransport': 'false' } });
  assert.match(String(only(ai, 'aws_s3_bucket', 'uploads').bucket), /^vision-production-uploads-\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}$/);
});

test('every output the loader lets `from:` name is provided by synthesis', async () => {
  const { outputsByType } = await import('../../src/config/references.ts');
  const input = {
    version: 1,
    name: 'refs',
    services: {
      web: { type: 'web', image: 'nginx', env: {} as Record<string, { from: string }> },
      api: { type: 'web', image: 'nginx' },
    },
    resources: { pg: { type: 'postgres' }, rd: { type: 'redis' }, q: { type: 'queue' }, b: { type: 'bucket' } },
  };
  const component: Record<string, string> = { postgres: 'pg', redis: 'rd', queue: 'q', bucket: 'b', web: 'api' };
  for (const [type, outputs] of Object.entries(outputsByType)) {
    for (const output of outputs) input.services.web.env[`${type}_${output}`.toUpperCase()] = { from: `${component[type]}.${output}` };
  }
  const doc = synthesize(resolved(input));
  const [container] = JSON.parse(String(only(doc, 'aws_ecs_task_definition', 'web').container_definitions));
  const names = [...container.environment, ...container.secrets].map((e: { name: string }) => e.name);
  for (const name of Object.keys(input.services.web.env)) assert.ok(names.includes(name), `${name} is set`);
  assert.ok(container.secrets.some((s: { name: string }) => s.name === 'POSTGRES_PASSWORD'));
  assert.ok(container.environment.some((e: { name: string; value: string }) => e.name === 'WEB_URL' && e.value === 'https://api.refs.production.slipway.internal'));
});
