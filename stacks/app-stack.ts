/**
 * One app in one environment as a Terraform stack: the AWS provider (default tags carry app,
 * environment and the config's `tags`), the S3 state backend, then resources before services so
 * that `env:` references resolve, then the wiring that needs both (database ingress, bucket
 * notifications).
 */
import type { ResolvedConfig } from '../src/config/schema.ts';
import type { AppContext } from './app-context.ts';
import { newAppContext } from './app-context.ts';
import type { Bucket } from './bucket.ts';
import type { EcsTask } from './ecs-task.ts';
import type { Kind, Kinds } from './kinds.ts';
import { PlatformRefs } from './platform-refs.ts';
import type { Postgres } from './postgres.ts';
import type { Queue } from './queue.ts';
import type { Redis } from './redis.ts';
import { literal } from './naming.ts';
import { addStateBackend, stateKey } from './state-backend.ts';
import { listenerPriorities, listenerRuleCount, webServiceRef } from './web-hosts.ts';
import { SynthError } from '../src/synth/synth-error.ts';
import { aws, cdktf, constructs } from './cdk.ts';

const { Construct } = constructs;
type Construct = InstanceType<typeof Construct>;
const { TerraformStack } = cdktf;
const { AwsProvider } = aws<typeof import('@cdktf/provider-aws/lib/provider/index.js')>('provider');
type AwsProvider = InstanceType<typeof AwsProvider>;

export type AppStackOptions = {
  /** Replaces `${sha}` in images; names the function artifact. Default `latest`. */
  sha?: string;
  /** S3 bucket holding Terraform state. Default `slipway-terraform-state`. */
  stateBucket?: string;
  /** Region of the state bucket. Default: the environment's region. */
  stateRegion?: string;
  /** Which platform stack to run on (its `slipway:platform` tag). Default `main`. */
  platform?: string;
  /** Where function code zips are uploaded. Default `slipway-artifacts`. */
  artifactBucket?: string;
  /** Host names for web services without `domains:`. Default `slipway.internal`. */
  baseDomain?: string;
};

export class AppStack extends TerraformStack {
  readonly ctx: AppContext;

  /** `kinds` holds the construct of every kind the config uses (see kinds.ts). */
  constructor(scope: Construct, config: ResolvedConfig, kinds: Partial<Kinds>, options: AppStackOptions = {}) {
    super(scope, config.name);
    const environment = config.environment;
    // User text (config tags) is made literal: Terraform would evaluate `${file("…")}` in a tag.
    const userTags = Object.fromEntries(Object.entries(config.tags ?? {}).map(([key, value]) => [literal(key), literal(value)]));
    const defaultTags = { ...userTags, 'slipway:app': config.name, 'slipway:environment': environment };
    // Providers and the backend live under `_`-prefixed scopes: their fixed construct ids (cdktf
    // names every backend "backend") must not collide with services named `aws` or `backend`.
    const setup = new Construct(this, '_setup');
    new AwsProvider(setup, 'aws', { region: config.region, defaultTags: [{ tags: defaultTags }] });
    addStateBackend(setup, { bucket: options.stateBucket, key: stateKey(config.name, environment), region: options.stateRegion ?? config.region });

    // `_platform` cannot be a paas.yaml name, so lookups never pass for a component (see componentOf).
    const platform = new PlatformRefs(this, '_platform', options.platform ?? 'main');
    const ctx = newAppContext({
      app: config.name,
      environment,
      region: config.region,
      sha: options.sha ?? 'latest',
      artifactBucket: options.artifactBucket ?? 'slipway-artifacts',
      baseDomain: options.baseDomain ?? 'slipway.internal',
      platform,
    });
    this.ctx = ctx;

    const kind = <K extends Kind>(name: K): Kinds[K] => {
      const construct = kinds[name];
      if (!construct) throw new SynthError(`the ${name} construct was not loaded (pass it in kinds)`);
      return construct;
    };
    const queues = new Map<string, Queue>();
    const buckets = new Map<string, Bucket>();
    const guarded: (Postgres | Redis)[] = [];
    for (const [name, resource] of Object.entries(config.resources)) {
      switch (resource.type) {
        case 'postgres':
          guarded.push(new (kind('postgres'))(this, name, resource, ctx));
          break;
        case 'redis':
          guarded.push(new (kind('redis'))(this, name, resource, ctx));
          break;
        case 'queue':
          queues.set(name, new (kind('queue'))(this, name, resource, ctx));
          break;
        case 'bucket':
          buckets.set(name, new (kind('bucket'))(this, name, resource, ctx));
          break;
      }
    }
    const webRules: Array<{ component: string; count: number }> = [];
    for (const [name, service] of Object.entries(config.services)) {
      if (service.type !== 'web') continue;
      ctx.components.set(name, webServiceRef(name, service, ctx));
      webRules.push({ component: name, count: listenerRuleCount(name, service, ctx) });
    }
    ctx.listenerPriorities = listenerPriorities(ctx, webRules);

    const tasks: [string, EcsTask][] = [];
    let usEast1: AwsProvider | undefined;
    for (const [name, service] of Object.entries(config.services)) {
      switch (service.type) {
        case 'web':
          tasks.push([name, new (kind('web'))(this, name, service, ctx).task]);
          break;
        case 'worker':
          tasks.push([name, new (kind('worker'))(this, name, service, ctx, queues).task]);
          break;
        case 'cron':
          tasks.push([name, new (kind('cron'))(this, name, service, ctx).task]);
          break;
        case 'function':
          new (kind('function'))(this, name, service, ctx, { queues, buckets });
          break;
        case 'static':
          if ((service.domains?.length ?? 0) > 0 && !usEast1) {
            // CloudFront only takes certificates from us-east-1.
            usEast1 = new AwsProvider(setup, 'aws-us-east-1', { alias: 'us_east_1', region: 'us-east-1', defaultTags: [{ tags: defaultTags }] });
          }
          new (kind('static'))(this, name, service, ctx, usEast1);
          break;
      }
    }

    // Every container of the app may reach the app's databases and caches; nothing else may.
    for (const target of guarded) {
      for (const [name, task] of tasks) target.guard.allowFrom(task.guard.id, name);
    }
    for (const bucket of buckets.values()) bucket.finish();
  }
}
