/**
 * What every container service (web, worker, cron) needs before it can run: a log group, an
 * execution role (pull the image, write logs, fetch the secrets it references), a task role (what
 * the code may do: the components it references in `env:`), a security group, and a Fargate task
 * definition whose container definition carries env values and secret *references*.
 */
import type { CronService, WebService, WorkerService } from '../src/config/schema.ts';
import { defaultCpu, defaultMemory, sizeToMiB } from '../src/config/units.ts';
import type { AppContext, PolicyStatement } from './app-context.ts';
import { assumeRolePolicy, componentTags, policyDocument } from './app-context.ts';
import { dedupeStatements, resolveEnv } from './env.ts';
import { awsName, literal } from './naming.ts';
import { NetworkGuard } from './network-guard.ts';
import type { Construct } from 'constructs';
import { aws } from './cdk.ts';

const { CloudwatchLogGroup } = aws<typeof import('@cdktf/provider-aws/lib/cloudwatch-log-group/index.js')>('cloudwatch-log-group');
type CloudwatchLogGroup = InstanceType<typeof CloudwatchLogGroup>;
const { EcrRepository } = aws<typeof import('@cdktf/provider-aws/lib/ecr-repository/index.js')>('ecr-repository');
const { EcsTaskDefinition } = aws<typeof import('@cdktf/provider-aws/lib/ecs-task-definition/index.js')>('ecs-task-definition');
type EcsTaskDefinition = InstanceType<typeof EcsTaskDefinition>;
const { IamRole } = aws<typeof import('@cdktf/provider-aws/lib/iam-role/index.js')>('iam-role');
type IamRole = InstanceType<typeof IamRole>;
const { IamRolePolicy } = aws<typeof import('@cdktf/provider-aws/lib/iam-role-policy/index.js')>('iam-role-policy');
const { IamRolePolicyAttachment } = aws<typeof import('@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js')>('iam-role-policy-attachment');

export const logRetentionDays = 30;

type ContainerService = WebService | WorkerService | CronService;

export type EcsTaskProps = {
  component: string;
  service: ContainerService;
  ctx: AppContext;
  /** Container port (web only); opens nothing by itself. */
  port?: number;
  /** Extra statements for the task role (a worker consuming its queue). */
  taskStatements?: PolicyStatement[];
  /** Extra tags for every resource of the task (a cron job's timeout). */
  tags?: Record<string, string>;
  /** Values Slipway adds itself (already Terraform expressions, not user text); `env:` wins on a clash. */
  extraEnvironment?: { name: string; value: string }[];
};

export type EcsTask = {
  taskDefinition: EcsTaskDefinition;
  executionRole: IamRole;
  taskRole: IamRole;
  logGroup: CloudwatchLogGroup;
  guard: NetworkGuard;
  /** Components this task references in `env:`. */
  uses: string[];
  cpuUnits: number;
  memoryMiB: number;
};

/** Adds the task's resources directly under `scope` (the component), so their paths read `<component>/<thing>`. */
export function addEcsTask(scope: Construct, props: EcsTaskProps): EcsTask {
  const { component, service, ctx } = props;
  const tags = componentTags(component, props.tags);
  const baseName = awsName([ctx.app, ctx.environment, component], 64);
  const guard = new NetworkGuard(scope, 'network', { component, port: props.port ?? 0, egress: true, ctx });

  const logGroup = new CloudwatchLogGroup(scope, 'log-group', {
    name: `/slipway/${ctx.app}/${ctx.environment}/${component}`,
    retentionInDays: logRetentionDays,
    tags,
  });

  const env = resolveEnv(service.env, ctx);
  for (const extra of props.extraEnvironment ?? []) {
    if (!env.environment.some((entry) => entry.name === extra.name)) env.environment.push(extra);
  }
  env.environment.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const uses = env.uses.map((ref) => ref.name);

  const executionRole = new IamRole(scope, 'execution-role', {
    name: awsName([baseName, 'exec'], 64),
    assumeRolePolicy: assumeRolePolicy('ecs-tasks.amazonaws.com'),
    tags,
  });
  new IamRolePolicyAttachment(scope, 'execution-role-managed', {
    role: executionRole.name,
    policyArn: `arn:${ctx.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`,
  });
  if (env.secretReads.length > 0) {
    new IamRolePolicy(scope, 'execution-role-secrets', {
      name: 'read-secrets',
      role: executionRole.id,
      policy: policyDocument(env.secretReads),
    });
  }

  const taskRole = new IamRole(scope, 'task-role', {
    name: awsName([baseName, 'task'], 64),
    assumeRolePolicy: assumeRolePolicy('ecs-tasks.amazonaws.com'),
    tags,
  });
  const access = dedupeStatements([...env.uses.flatMap((ref) => ref.access ?? []), ...(props.taskStatements ?? [])]);
  if (access.length > 0) {
    new IamRolePolicy(scope, 'task-role-access', { name: 'access', role: taskRole.id, policy: policyDocument(access) });
  }

  let image = service.image === undefined ? undefined : literal(service.image.replaceAll('${sha}', ctx.sha));
  if (image === undefined) {
    // `build:` — the runner builds and pushes to this repository, tagged with the commit.
    const repository = new EcrRepository(scope, 'repository', {
      name: `${ctx.app}/${component}`,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'AES256' }],
      tags,
    });
    image = `${repository.repositoryUrl}:${literal(ctx.sha)}`;
  }

  const cpuUnits = Math.round((service.cpu ?? defaultCpu) * 1024);
  const memoryMiB = sizeToMiB(service.memory ?? defaultMemory);
  const container: Record<string, unknown> = {
    name: component,
    image,
    essential: true,
    command: service.command?.map(literal),
    portMappings: props.port === undefined ? undefined : [{ containerPort: props.port, protocol: 'tcp' }],
    environment: env.environment,
    secrets: env.secrets,
    logConfiguration: {
      logDriver: 'awslogs',
      options: { 'awslogs-group': logGroup.name, 'awslogs-region': ctx.region, 'awslogs-stream-prefix': component },
    },
    readonlyRootFilesystem: false,
  };
  const taskDefinition = new EcsTaskDefinition(scope, 'task-definition', {
    family: baseName,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: String(cpuUnits),
    memory: String(memoryMiB),
    executionRoleArn: executionRole.arn,
    taskRoleArn: taskRole.arn,
    runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
    containerDefinitions: JSON.stringify([container]),
    tags,
  });
  return { taskDefinition, executionRole, taskRole, logGroup, guard, uses, cpuUnits, memoryMiB };
}
