/**
 * A test set of kinds for synthesis (`synthesizeWith(config, terraformDataKinds)`): each service
 * and resource becomes Terraform's built-in `terraform_data` resource carrying the inputs the real
 * construct would deploy (image with the commit, sizes, counts, env names and plain values,
 * domains), and every web service an output `<name>_url` with its URL. Terraform applies these
 * offline, with no provider to download, so runner tests apply what synthesis really produced for
 * a paas.yaml; the AWS kinds are proven by synthesis and plan tests.
 *
 * User strings go through the stacks' own `literal()`, as in the real kinds, so `${…}` and `%{…}`
 * in a paas.yaml stay text (a runner test applies such a config and reads the state back).
 *
 * `synthesizeTestApp` removes what only the AWS kinds need: the `aws` provider (Terraform would
 * download it at init) and the S3 backend (the runner's state setting replaces it anyway).
 */
import type { BucketResource, CronService, FunctionService, PostgresResource, QueueResource, RedisResource, ResolvedConfig, StaticService, WebService, WorkerService } from '../../src/config/schema.ts';
import { instanceRange, sizeToMiB } from '../../src/config/units.ts';
import { synthesizeWith } from '../../src/synth/synthesize-with.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';
import type { AppContext } from '../../stacks/app-context.ts';
import { cdktf, constructs } from '../../stacks/cdk.ts';
import type { Kinds } from '../../stacks/kinds.ts';
import { literal } from '../../stacks/naming.ts';
import { webHosts } from '../../stacks/web-hosts.ts';

const { Construct } = constructs;
type Construct = InstanceType<typeof Construct>;
const { DataResource, TerraformOutput } = cdktf;
type DataResource = InstanceType<typeof DataResource>;

type Env = WebService['env'];

function envInputs(env: Env): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (typeof value === 'object' && value !== null && 'from' in value) out[name] = { from: value.from };
    else if (typeof value === 'object' && value !== null && 'secret' in value) out[name] = { secret: literal(value.secret) };
    else out[name] = literal(String(value));
  }
  return out;
}

function containerInputs(kind: string, name: string, service: WebService | WorkerService | CronService, ctx: AppContext): Record<string, unknown> {
  const image = service.image === undefined ? `registry.invalid/${ctx.app}/${name}:${literal(ctx.sha)}` : literal(service.image.replaceAll('${sha}', ctx.sha));
  return {
    kind,
    app: ctx.app,
    environment: ctx.environment,
    image,
    cpu: service.cpu ?? 0.25,
    memory_mib: sizeToMiB(service.memory ?? '512Mi'),
    command: service.command?.map(literal) ?? null,
    env: envInputs(service.env),
  };
}

/** What AppStack asks of a container kind (`.task.guard.id`) and of a guarded resource (`.guard.allowFrom`). */
class Guard {
  readonly id: string;
  private readonly allowed: string[] = [];
  constructor(private readonly resource: DataResource) {
    this.id = `${resource.node.path}/guard`;
  }
  allowFrom(_source: string, name: string): void {
    this.allowed.push(name);
    this.resource.addOverride('input.reachable_from', [...this.allowed].sort());
  }
}

class ContainerKind extends Construct {
  readonly task: { guard: Guard };
  constructor(scope: Construct, name: string, inputs: Record<string, unknown>) {
    super(scope, name);
    const resource = new DataResource(this, 'service', { input: inputs });
    this.task = { guard: new Guard(resource) };
  }
}

class TestWebService extends ContainerKind {
  constructor(scope: Construct, name: string, service: WebService, ctx: AppContext) {
    const range = instanceRange(service.instances);
    const hosts = webHosts(name, service, ctx);
    super(scope, name, { ...containerInputs('web', name, service, ctx), port: service.port, instances: range, hosts });
    new TerraformOutput(this, 'url', { value: `https://${hosts[0]}` }).overrideLogicalId(`${name}_url`);
  }
}

class TestWorkerService extends ContainerKind {
  constructor(scope: Construct, name: string, service: WorkerService, ctx: AppContext) {
    super(scope, name, { ...containerInputs('worker', name, service, ctx), instances: instanceRange(service.instances), queue: service.queue ?? null });
  }
}

class TestCronJob extends ContainerKind {
  constructor(scope: Construct, name: string, service: CronService, ctx: AppContext) {
    super(scope, name, { ...containerInputs('cron', name, service, ctx), schedule: literal(service.schedule) });
  }
}

class TestFunction extends Construct {
  constructor(scope: Construct, name: string, service: FunctionService, ctx: AppContext) {
    super(scope, name);
    new DataResource(this, 'function', {
      input: { kind: 'function', runtime: service.runtime, handler: literal(service.handler), memory_mib: sizeToMiB(service.memory ?? '128Mi'), artifact: `${ctx.app}/${name}/${literal(ctx.sha)}.zip`, env: envInputs(service.env) },
    });
  }
}

class TestStaticSite extends Construct {
  constructor(scope: Construct, name: string, service: StaticService) {
    super(scope, name);
    new DataResource(this, 'site', { input: { kind: 'static', source: literal(service.source), spa: service.spa, domains: service.domains ?? [] } });
  }
}

class GuardedResource extends Construct {
  readonly guard: Guard;
  constructor(scope: Construct, name: string, inputs: Record<string, unknown>) {
    super(scope, name);
    this.guard = new Guard(new DataResource(this, 'resource', { input: inputs }));
  }
}

class TestPostgres extends GuardedResource {
  constructor(scope: Construct, name: string, resource: PostgresResource) {
    super(scope, name, { kind: 'postgres', version: resource.version, size: resource.size, storage_gib: sizeToMiB(resource.storage) / 1024, high_availability: resource.highAvailability });
  }
}

class TestRedis extends GuardedResource {
  constructor(scope: Construct, name: string, resource: RedisResource) {
    super(scope, name, { kind: 'redis', version: resource.version, size: resource.size, replicas: resource.replicas });
  }
}

class TestQueue extends Construct {
  constructor(scope: Construct, name: string, resource: QueueResource) {
    super(scope, name);
    new DataResource(this, 'queue', { input: { kind: 'queue', fifo: resource.fifo, dead_letter_after: resource.deadLetterAfter } });
  }
}

class TestBucket extends Construct {
  constructor(scope: Construct, name: string, resource: BucketResource) {
    super(scope, name);
    new DataResource(this, 'bucket', { input: { kind: 'bucket', versioning: resource.versioning } });
  }
  finish(): void {}
}

// The constructors take what AppStack passes; the instances offer only what AppStack uses of them
// (hence the cast: TypeScript would want every member of the AWS constructs).
export const terraformDataKinds = {
  web: TestWebService,
  worker: TestWorkerService,
  cron: TestCronJob,
  function: TestFunction,
  static: TestStaticSite,
  postgres: TestPostgres,
  redis: TestRedis,
  queue: TestQueue,
  bucket: TestBucket,
} as unknown as Kinds;

/** The production synthesis path with the test kinds, minus the AWS provider and backend. */
export function synthesizeTestApp(config: ResolvedConfig, options: { sha?: string } = {}): TerraformJson {
  const doc = synthesizeWith(config, terraformDataKinds, options);
  const { provider: _provider, terraform, ...rest } = doc;
  const { backend: _backend, required_providers: _required, ...keep } = terraform ?? {};
  return Object.keys(keep).length > 0 ? { ...rest, terraform: keep } : rest;
}
