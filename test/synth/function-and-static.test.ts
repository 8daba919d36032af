import test from 'node:test';
import assert from 'node:assert/strict';
import { synthesize } from '../../src/synth/synthesize.ts';
import { aiPipelineInput, resolved } from './example-configs.ts';
import { blocks, dataBlocks, only } from './helpers.ts';

const doc = synthesize(resolved(aiPipelineInput), { sha: 'f00d', artifactBucket: 'acme-artifacts' });

test('a function runs the uploaded zip for the commit with the requested memory and timeout', () => {
  const fn = only(doc, 'aws_lambda_function', 'thumbnails');
  assert.equal(fn.runtime, 'nodejs20.x');
  assert.equal(fn.handler, 'index.handler');
  assert.equal(fn.memory_size, 512);
  assert.equal(fn.timeout, 30);
  assert.equal(fn.s3_bucket, 'acme-artifacts');
  assert.equal(fn.s3_key, 'vision/thumbnails/f00d.zip');
  const log = only(doc, 'aws_cloudwatch_log_group', 'thumbnails');
  assert.equal(log.name, '/aws/lambda/vision-production-thumbnails');
  assert.equal(log.retention_in_days, 30);
});

test('a function gets a secret as its ARN and the right to read it, never the value', () => {
  const variables = (only(doc, 'aws_lambda_function', 'thumbnails').environment as { variables: Record<string, string> }).variables;
  assert.match(variables.API_TOKEN, /^arn:aws:ssm:us-east-1:\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}:parameter\/slipway\/vision\/api-token$/);
  assert.match(variables.OUT_BUCKET, /^\$\{aws_s3_bucket\.uploads_storage_bucket_[\w-]+\.bucket\}$/);
  const access = JSON.parse(String(only(doc, 'aws_iam_role_policy', 'thumbnails').policy)).Statement;
  assert.ok(access.some((s: { Action: string[] }) => s.Action.includes('ssm:GetParameters')));
});

test('a bucket trigger is one notification on the bucket, allowed by a lambda permission', () => {
  const notification = only(doc, 'aws_s3_bucket_notification', 'uploads') as Record<string, any>;
  assert.equal(notification.lambda_function.length, 1);
  assert.deepEqual(notification.lambda_function[0].events, ['s3:ObjectCreated:*']);
  const permission = only(doc, 'aws_lambda_permission', 'thumbnails');
  assert.equal(permission.principal, 's3.amazonaws.com');
  assert.deepEqual(notification.depends_on, [`aws_lambda_permission.${Object.entries(doc.resource!.aws_lambda_permission).find(([, b]) => b === permission)![0]}`]);
});

test('queue, schedule and http triggers become an event source mapping, a schedule and a function URL', () => {
  const mapping = only(doc, 'aws_lambda_event_source_mapping', 'embed');
  assert.match(String(mapping.event_source_arn), /^\$\{aws_sqs_queue\.work_queue_[\w-]+\.arn\}$/);
  assert.equal(mapping.batch_size, 10);
  const schedule = only(doc, 'aws_scheduler_schedule', 'hourly') as Record<string, any>;
  assert.equal(schedule.schedule_expression, 'cron(0 * * * ? *)');
  assert.match(schedule.target.arn, /^\$\{aws_lambda_function\.hourly_function_[\w-]+\.arn\}$/);
  assert.equal(only(doc, 'aws_lambda_function_url', 'hook').authorization_type, 'NONE');
});

test('a static site is a private bucket readable only by its CloudFront distribution through OAC', () => {
  const distribution = only(doc, 'aws_cloudfront_distribution', 'site') as Record<string, any>;
  assert.deepEqual(distribution.aliases, ['vision.example.com']);
  assert.match(distribution.origin[0].origin_access_control_id, /^\$\{aws_cloudfront_origin_access_control\.[\w-]+\.id\}$/);
  assert.equal(distribution.default_cache_behavior.viewer_protocol_policy, 'redirect-to-https');
  assert.deepEqual(distribution.custom_error_response.map((r: { error_code: number }) => r.error_code), [403, 404]);
  assert.match(distribution.viewer_certificate.acm_certificate_arn, /^\$\{data\.aws_acm_certificate\.[\w-]+\.arn\}$/);
  const [certificate] = dataBlocks(doc, 'aws_acm_certificate');
  assert.equal(certificate.provider, 'aws.us_east_1');
  assert.equal(certificate.domain, 'vision.example.com');
  const block = only(doc, 'aws_s3_bucket_public_access_block', 'site');
  assert.deepEqual([block.block_public_acls, block.block_public_policy, block.ignore_public_acls, block.restrict_public_buckets], [true, true, true, true]);
  const statements = JSON.parse(String(only(doc, 'aws_s3_bucket_policy', 'site').policy)).Statement;
  const read = statements.find((s: { Effect: string }) => s.Effect === 'Allow');
  assert.deepEqual(read.Principal, { Service: 'cloudfront.amazonaws.com' });
  assert.match(read.Condition.StringEquals['AWS:SourceArn'], /^\$\{aws_cloudfront_distribution\.site_distribution_[\w-]+\.arn\}$/);
});

test('a static site without domains uses the CloudFront certificate and needs no us-east-1 provider', () => {
  const plain = synthesize(resolved({ version: 1, name: 'docs', region: 'eu-west-1', services: { site: { type: 'static', source: 'dist' } } }));
  const distribution = only(plain, 'aws_cloudfront_distribution', 'site') as Record<string, any>;
  assert.deepEqual(distribution.viewer_certificate, { cloudfront_default_certificate: true });
  assert.equal(distribution.aliases, undefined);
  assert.equal(plain.provider!.aws.length, 1);
  assert.equal(blocks(plain, 'aws_ecs_service').length, 0);
  assert.equal(plain.data?.aws_vpc, undefined, 'an app without containers or databases looks up no platform network');
});
