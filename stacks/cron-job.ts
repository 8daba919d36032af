/**
 * `type: cron` → an EventBridge Scheduler schedule that runs one Fargate task of the job's task
 * definition, with a role allowing exactly that (ecs:RunTask on the family, iam:PassRole on the
 * task's two roles). ECS has no run-time limit for a task, so `timeout:` is passed to the
 * container as SLIPWAY_TIMEOUT_SECONDS and recorded as a tag; the job is expected to honour it.
 */
import type { CronService } from '../src/config/schema.ts';
import { durationToSeconds } from '../src/config/units.ts';
import type { AppContext } from './app-context.ts';
import { assumeRolePolicy, componentTags, policyDocument } from './app-context.ts';
import type { EcsTask } from './ecs-task.ts';
import { addEcsTask } from './ecs-task.ts';
import { awsName, cronToAws } from './naming.ts';
import { aws, constructs } from './cdk.ts';

const { Construct } = constructs;
type Construct = InstanceType<typeof Construct>;
const { IamRole } = aws<typeof import('@cdktf/provider-aws/lib/iam-role/index.js')>('iam-role');
const { IamRolePolicy } = aws<typeof import('@cdktf/provider-aws/lib/iam-role-policy/index.js')>('iam-role-policy');
const { SchedulerSchedule } = aws<typeof import('@cdktf/provider-aws/lib/scheduler-schedule/index.js')>('scheduler-schedule');
type SchedulerSchedule = InstanceType<typeof SchedulerSchedule>;

export class CronJob extends Construct {
  readonly schedule: SchedulerSchedule;
  readonly task: EcsTask;

  constructor(scope: Construct, name: string, config: CronService, ctx: AppContext) {
    super(scope, name);
    const tags = componentTags(name);
    const platform = ctx.platform;
    const timeout = config.timeout === undefined ? undefined : String(durationToSeconds(config.timeout));
    this.task = addEcsTask(this, {
      component: name,
      service: config,
      ctx,
      tags: timeout ? { 'slipway:timeout-seconds': timeout } : undefined,
      extraEnvironment: timeout ? [{ name: 'SLIPWAY_TIMEOUT_SECONDS', value: timeout }] : [],
    });
    const taskDefinition = this.task.taskDefinition;

    const role = new IamRole(this, 'scheduler-role', {
      name: awsName([ctx.app, ctx.environment, name, 'sched'], 64),
      assumeRolePolicy: assumeRolePolicy('scheduler.amazonaws.com'),
      tags,
    });
    new IamRolePolicy(this, 'scheduler-role-run-task', {
      name: 'run-task',
      role: role.id,
      policy: policyDocument([
        // Any revision of this family: the schedule keeps working while a new revision rolls out.
        { Effect: 'Allow', Action: ['ecs:RunTask'], Resource: [`${taskDefinition.arnWithoutRevision}:*`] },
        { Effect: 'Allow', Action: ['iam:PassRole'], Resource: [this.task.executionRole.arn, this.task.taskRole.arn] },
      ]),
    });

    this.schedule = new SchedulerSchedule(this, 'schedule', {
      name: awsName([ctx.app, ctx.environment, name], 64),
      scheduleExpression: cronToAws(config.schedule),
      scheduleExpressionTimezone: 'Etc/UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: platform.cluster.arn,
        roleArn: role.arn,
        ecsParameters: {
          taskDefinitionArn: taskDefinition.arn,
          launchType: 'FARGATE',
          taskCount: 1,
          propagateTags: 'TASK_DEFINITION',
          enableEcsManagedTags: true,
          networkConfiguration: { subnets: platform.privateSubnetIds, securityGroups: [this.task.guard.id], assignPublicIp: false },
        },
        // A missed run is reported, not retried on top of the next one.
        retryPolicy: { maximumRetryAttempts: 0 },
      },
    });
  }
}
