/**
 * `type: function` → a Lambda function with its role, log group and trigger: new objects in a
 * bucket, messages on a queue, a schedule (EventBridge Scheduler), or an HTTPS function URL.
 *
 * The code is not built here: the runner zips `source:` and uploads it to the artifact bucket as
 * `<app>/<service>/<sha>.zip`. Lambda cannot inject secrets into its environment the way ECS does,
 * so a `{ secret }` or secret-valued `{ from }` entry gives the function the secret's ARN (and the
 * right to read it) under the same name; the code reads the value at start.
 */
import type { FunctionService } from '../src/config/schema.ts';
import { durationToSeconds, sizeToMiB } from '../src/config/units.ts';
import type { AppContext, PolicyStatement } from './app-context.ts';
import { assumeRolePolicy, componentTags, policyDocument } from './app-context.ts';
import type { Bucket } from './bucket.ts';
import { SynthError } from '../src/synth/synth-error.ts';
import { dedupeStatements, resolveEnv } from './env.ts';
import { logRetentionDays } from './ecs-task.ts';
import { awsName, cronToAws, literal } from './naming.ts';
import type { Queue } from './queue.ts';
import { aws, constructs } from './cdk.ts';

const { Construct } = constructs;
type Construct = InstanceType<typeof Construct>;
const { CloudwatchLogGroup } = aws<typeof import('@cdktf/provider-aws/lib/cloudwatch-log-group/index.js')>('cloudwatch-log-group');
const { IamRole } = aws<typeof import('@cdktf/provider-aws/lib/iam-role/index.js')>('iam-role');
type IamRole = InstanceType<typeof IamRole>;
const { IamRolePolicy } = aws<typeof import('@cdktf/provider-aws/lib/iam-role-policy/index.js')>('iam-role-policy');
const { IamRolePolicyAttachment } = aws<typeof import('@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js')>('iam-role-policy-attachment');
const { LambdaEventSourceMapping } = aws<typeof import('@cdktf/provider-aws/lib/lambda-event-source-mapping/index.js')>('lambda-event-source-mapping');
const { LambdaFunction } = aws<typeof import('@cdktf/provider-aws/lib/lambda-function/index.js')>('lambda-function');
type LambdaFunction = InstanceType<typeof LambdaFunction>;
const { LambdaFunctionUrl } = aws<typeof import('@cdktf/provider-aws/lib/lambda-function-url/index.js')>('lambda-function-url');
const { LambdaPermission } = aws<typeof import('@cdktf/provider-aws/lib/lambda-permission/index.js')>('lambda-permission');
const { SchedulerSchedule } = aws<typeof import('@cdktf/provider-aws/lib/scheduler-schedule/index.js')>('scheduler-schedule');

export const defaultFunctionMemoryMiB = 128;
export const defaultFunctionTimeoutSeconds = 30;

export class LambdaService extends Construct {
  readonly fn: LambdaFunction;
  readonly role: IamRole;

  constructor(
    scope: Construct,
    name: string,
    config: FunctionService,
    ctx: AppContext,
    deps: { queues: ReadonlyMap<string, Queue>; buckets: ReadonlyMap<string, Bucket> },
  ) {
    super(scope, name);
    const tags = componentTags(name);
    const functionName = awsName([ctx.app, ctx.environment, name], 64);
    const logGroup = new CloudwatchLogGroup(this, 'log-group', { name: `/aws/lambda/${functionName}`, retentionInDays: logRetentionDays, tags });

    const env = resolveEnv(config.env, ctx);
    const variables: Record<string, string> = {};
    for (const entry of env.environment) variables[entry.name] = entry.value;
    for (const entry of env.secrets) variables[entry.name] = entry.valueFrom;

    this.role = new IamRole(this, 'role', {
      name: awsName([functionName, 'fn'], 64),
      assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com'),
      tags,
    });
    new IamRolePolicyAttachment(this, 'role-logs', {
      role: this.role.name,
      policyArn: `arn:${ctx.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`,
    });

    const trigger = config.trigger ?? {};
    const queue = trigger.queue === undefined ? undefined : deps.queues.get(trigger.queue);
    if (trigger.queue !== undefined && !queue) throw new SynthError(`function ${name}: trigger queue ${trigger.queue} is not a queue resource`);
    const bucket = trigger.bucket === undefined ? undefined : deps.buckets.get(trigger.bucket);
    if (trigger.bucket !== undefined && !bucket) throw new SynthError(`function ${name}: trigger bucket ${trigger.bucket} is not a bucket resource`);

    const statements: PolicyStatement[] = [...env.secretReads, ...env.uses.flatMap((ref) => ref.access ?? [])];
    if (queue) statements.push(queue.consumeStatement());
    if (bucket) statements.push({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${bucket.private.bucket.arn}/*`] });
    const access = dedupeStatements(statements);
    const accessPolicy = access.length === 0 ? undefined : new IamRolePolicy(this, 'role-access', { name: 'access', role: this.role.id, policy: policyDocument(access) });

    this.fn = new LambdaFunction(this, 'function', {
      functionName,
      role: this.role.arn,
      runtime: config.runtime,
      handler: literal(config.handler),
      s3Bucket: literal(ctx.artifactBucket),
      s3Key: `${ctx.app}/${name}/${literal(ctx.sha)}.zip`,
      memorySize: config.memory === undefined ? defaultFunctionMemoryMiB : sizeToMiB(config.memory),
      timeout: config.timeout === undefined ? defaultFunctionTimeoutSeconds : durationToSeconds(config.timeout),
      environment: Object.keys(variables).length > 0 ? { variables } : undefined,
      loggingConfig: { logFormat: 'JSON', logGroup: logGroup.name },
      tracingConfig: { mode: 'Active' },
      dependsOn: accessPolicy ? [logGroup, accessPolicy] : [logGroup],
      tags,
    });

    if (queue) {
      new LambdaEventSourceMapping(this, 'queue-trigger', {
        eventSourceArn: queue.queue.arn,
        functionName: this.fn.arn,
        batchSize: 10,
        functionResponseTypes: ['ReportBatchItemFailures'],
        tags,
      });
    }
    if (bucket) {
      const permission = new LambdaPermission(this, 'bucket-trigger-permission', {
        statementId: 'AllowS3Invoke',
        action: 'lambda:InvokeFunction',
        functionName: this.fn.functionName,
        principal: 's3.amazonaws.com',
        sourceArn: bucket.private.bucket.arn,
        sourceAccount: ctx.platform.accountId,
      });
      bucket.notifyFunction(this.fn.arn, permission);
    }
    if (trigger.schedule !== undefined) {
      const schedulerRole = new IamRole(this, 'scheduler-role', {
        name: awsName([functionName, 'sched'], 64),
        assumeRolePolicy: assumeRolePolicy('scheduler.amazonaws.com'),
        tags,
      });
      new IamRolePolicy(this, 'scheduler-role-invoke', {
        name: 'invoke',
        role: schedulerRole.id,
        policy: policyDocument([{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [this.fn.arn] }]),
      });
      new SchedulerSchedule(this, 'schedule', {
        name: functionName,
        scheduleExpression: cronToAws(trigger.schedule),
        scheduleExpressionTimezone: 'Etc/UTC',
        flexibleTimeWindow: { mode: 'OFF' },
        target: { arn: this.fn.arn, roleArn: schedulerRole.arn, retryPolicy: { maximumRetryAttempts: 0 } },
      });
    }
    if (trigger.http) {
      // Public by intent (`http: true`); whether that is allowed is a policy question.
      new LambdaFunctionUrl(this, 'url', { functionName: this.fn.functionName, authorizationType: 'NONE' });
    }
  }
}
