/**
 * Checks that span fields, run on a schema-valid config (defaults applied): Fargate sizes,
 * references between services and resources, ranges, cron expressions, domains, AWS limits that
 * would otherwise only fail at apply time.
 */
import { cronProblem } from './cron.ts';
import type { Path, Problem } from './problem.ts';
import { outputsByType, parseReference, referableComponents } from './references.ts';
import type { EnvValue, PaasConfig, ScheduleFloor, Service } from './schema.ts';
import { closest, listWords } from './suggest.ts';
import { defaultCpu, defaultMemory, durationToSeconds, fargateMemoryByCpu, instanceRange, sizeToMiB } from './units.ts';

/** Runtime variables Lambda sets itself; a function may not set them. https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime */
const lambdaReserved = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);

const secretName = /^\/?[A-Za-z0-9_.\-]+(\/[A-Za-z0-9_.\-]+)*$/;
const secretArn = /^arn:aws(-[a-z]+)*:(ssm:[a-z0-9-]+:\d{12}:parameter\/.+|secretsmanager:[a-z0-9-]+:\d{12}:secret:.+)$/;

export function crossCheck(config: PaasConfig): Problem[] {
  const problems: Problem[] = [];
  const add = (path: Path, message: string, hint?: string, extra?: Partial<Problem>) =>
    problems.push({ path, message, ...(hint ? { hint } : {}), ...extra });

  checkNameCollisions(config, add);
  const domainOwners = new Map<string, Path>();
  for (const [name, service] of Object.entries(config.services)) {
    const base: Path = ['services', name];
    checkService(config, service, base, add);
    if ('domains' in service) {
      (service.domains ?? []).forEach((domain, index) => {
        const path = [...base, 'domains', index];
        const owner = domainOwners.get(domain);
        if (owner) add(path, `domain ${domain} is already used by services.${String(owner[1])}`, 'each domain can point at one service');
        else domainOwners.set(domain, path);
      });
    }
  }
  checkResources(config, add);
  if (config.previews) {
    const ttl = durationToSeconds(config.previews.ttl);
    if (ttl < 3600 || ttl > 30 * 86400) add(['previews', 'ttl'], `ttl ${config.previews.ttl} is out of range`, 'previews live between 1h and 30d');
  }
  if (config.metrics?.source === 'prometheus' && !config.metrics.url) {
    add(['metrics'], 'metrics.source prometheus needs `url`', 'the Prometheus base URL, such as https://prometheus.example.com', { at: 'key' });
  }
  for (const [key, value] of Object.entries(config.tags ?? {})) {
    if (key.length > 128 || key.startsWith('aws:')) add(['tags', key], `tag key "${key}" is not allowed`, 'AWS tag keys are at most 128 characters and may not start with aws:', { at: 'key' });
    if (value.length > 256) add(['tags', key], 'tag value is longer than 256 characters');
  }
  return problems;
}

type Add = (path: Path, message: string, hint?: string, extra?: Partial<Problem>) => void;

function checkNameCollisions(config: PaasConfig, add: Add): void {
  for (const name of Object.keys(config.resources)) {
    if (Object.hasOwn(config.services, name)) {
      add(['resources', name], `resource name \`${name}\` is also a service name`, 'services and resources share one namespace (`from: <name>.<output>`): rename one', { at: 'key' });
    }
  }
}

function checkService(config: PaasConfig, service: Service, base: Path, add: Add): void {
  switch (service.type) {
    case 'web':
    case 'worker':
    case 'cron':
      checkContainer(service, base, add);
      break;
    case 'function':
      checkFunction(config, service, base, add);
      break;
    case 'static':
      break;
  }
  if ('env' in service) checkEnv(config, service.type, service.env ?? {}, [...base, 'env'], add);

  if (service.type === 'web' || service.type === 'worker') {
    const range = checkInstances(service.instances, [...base, 'instances'], add);
    (service.schedule ?? []).forEach((floor, index) => checkFloor(floor, range, [...base, 'schedule', index], add));
  }
  if (service.type === 'web' && service.health) {
    const interval = durationToSeconds(service.health.interval);
    const timeout = durationToSeconds(service.health.timeout);
    const path = [...base, 'health'];
    if (interval < 5 || interval > 300) add([...path, 'interval'], `interval ${service.health.interval} is out of range`, 'load balancer health checks run every 5s to 300s');
    if (timeout < 2 || timeout > 120) add([...path, 'timeout'], `timeout ${service.health.timeout} is out of range`, 'load balancer health checks time out after 2s to 120s');
    else if (timeout >= interval) add([...path, 'timeout'], `timeout ${service.health.timeout} must be shorter than interval ${service.health.interval}`, undefined, { alsoAt: [[...path, 'interval']] });
  }
  if (service.type === 'worker') {
    if (service.queue !== undefined) {
      const target = own(config.resources, service.queue);
      if (!target) {
        add([...base, 'queue'], `queue \`${service.queue}\` is not a resource of this app`, missingHint(service.queue, queueNames(config), 'queue'));
      } else if (target.type !== 'queue') {
        add([...base, 'queue'], `\`${service.queue}\` is a ${target.type} resource, not a queue`, queueNames(config).length ? `queues: ${queueNames(config).join(', ')}` : 'add a resource with type: queue');
      }
    } else if (service.autoscaling?.backlogPerInstance !== undefined) {
      add([...base, 'autoscaling', 'backlogPerInstance'], 'backlogPerInstance needs the worker to name its `queue`', 'add queue: <queue resource>', { at: 'key' });
    }
  }
  if (service.type === 'cron') {
    const problem = cronProblem(service.schedule);
    if (problem) add([...base, 'schedule'], problem.message, problem.hint);
  }
}

function checkContainer(service: Service & { type: 'web' | 'worker' | 'cron' }, base: Path, add: Add): void {
  if (!service.image && !service.build) add(base, 'a container service needs `image` or `build`', 'image: ghcr.io/acme/app:${sha}, or build: { dockerfile: Dockerfile }', { at: 'key' });
  if (service.image && service.build) add([...base, 'build'], 'set `image` or `build`, not both', undefined, { at: 'key', alsoAt: [[...base, 'image']] });

  const cpu = service.cpu ?? defaultCpu;
  const cpus = [...fargateMemoryByCpu.keys()];
  const valid = fargateMemoryByCpu.get(cpu);
  if (!valid) {
    add([...base, 'cpu'], `cpu ${cpu} is not a Fargate size`, `use ${listWords(cpus.map(String), false)} vCPU`);
    return;
  }
  const memory = service.memory ?? defaultMemory;
  const mib = sizeToMiB(memory);
  if (valid.includes(mib)) return;
  const choices = describeMemoryChoices(valid);
  const message = service.memory === undefined
    ? `cpu ${cpu} cannot run with the default memory ${defaultMemory}`
    : `cpu ${cpu} with memory ${memory} is not a valid Fargate size`;
  const fits = cpus.filter((c) => fargateMemoryByCpu.get(c)!.includes(mib));
  const alt = service.memory !== undefined && fits.length > 0 ? `; or keep ${memory} with cpu ${listWords(fits.map(String), false)}` : '';
  const path = service.memory !== undefined ? [...base, 'memory'] : [...base, 'cpu'];
  add(path, message, `with cpu ${cpu}, memory must be ${choices}${alt}`, { alsoAt: [[...base, 'cpu'], [...base, 'memory']] });
}

/** 1024..4096 step 1024 → "1Gi to 4Gi in steps of 1Gi"; short lists written out. */
function describeMemoryChoices(values: readonly number[]): string {
  const show = (mib: number) => (mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`);
  if (values.length <= 4) return listWords(values.map(show), false);
  const step = values[1] - values[0];
  return `${show(values[0])} to ${show(values[values.length - 1])} in steps of ${show(step)}`;
}

function checkFunction(config: PaasConfig, service: Service & { type: 'function' }, base: Path, add: Add): void {
  if (service.memory !== undefined) {
    const mib = sizeToMiB(service.memory);
    if (mib < 128 || mib > 10240) add([...base, 'memory'], `memory ${service.memory} is out of range for a function`, 'Lambda takes 128Mi to 10Gi');
  }
  const timeout = service.timeout === undefined ? undefined : durationToSeconds(service.timeout);
  if (timeout !== undefined && (timeout < 1 || timeout > 900)) add([...base, 'timeout'], `timeout ${service.timeout} is out of range for a function`, 'Lambda runs 1s to 15m');
  const trigger = service.trigger;
  if (!trigger) return;
  const tpath = [...base, 'trigger'];
  if (trigger.bucket !== undefined) {
    const target = own(config.resources, trigger.bucket);
    if (!target || target.type !== 'bucket') {
      add([...tpath, 'bucket'], target ? `\`${trigger.bucket}\` is a ${target.type} resource, not a bucket` : `bucket \`${trigger.bucket}\` is not a resource of this app`, missingHint(trigger.bucket, namesOfType(config, 'bucket'), 'bucket'));
    }
  }
  if (trigger.queue !== undefined) {
    const target = own(config.resources, trigger.queue);
    if (!target || target.type !== 'queue') {
      add([...tpath, 'queue'], target ? `\`${trigger.queue}\` is a ${target.type} resource, not a queue` : `queue \`${trigger.queue}\` is not a resource of this app`, missingHint(trigger.queue, queueNames(config), 'queue'));
    } else {
      // SQS → Lambda: AWS refuses the event source mapping when the queue's visibility timeout is shorter than the function's timeout.
      const visibility = durationToSeconds(target.visibilityTimeout);
      const fn = timeout ?? 3;
      if (visibility < fn) {
        add([...tpath, 'queue'], `queue \`${trigger.queue}\` has visibilityTimeout ${target.visibilityTimeout}, shorter than this function's timeout (${fn}s)`, `set resources.${trigger.queue}.visibilityTimeout to at least ${fn}s`);
      }
    }
  }
  if (trigger.schedule !== undefined) {
    const problem = cronProblem(trigger.schedule);
    if (problem) add([...tpath, 'schedule'], problem.message, problem.hint);
  }
}

function checkEnv(config: PaasConfig, type: Service['type'], env: Record<string, EnvValue>, base: Path, add: Add): void {
  const components = referableComponents(config);
  for (const [name, value] of Object.entries(env)) {
    const path = [...base, name];
    if (type === 'function' && lambdaReserved.has(name)) add(path, `${name} is set by Lambda itself`, 'choose another name', { at: 'key' });
    if (typeof value !== 'object' || value === null) continue;
    if ('from' in value) {
      const fpath = [...path, 'from'];
      const ref = parseReference(value.from);
      if (!ref) {
        add(fpath, `"${value.from}" is not a reference`, 'write <name>.<output>, such as db.url');
        continue;
      }
      const kind = components.get(ref.component);
      if (!kind) {
        const service = own(config.services, ref.component);
        if (service) {
          add(fpath, `\`${ref.component}\` is a ${service.type} service; only resources and web services have outputs`, 'reference a resource (db.url) or a web service (web.url)');
        } else {
          add(fpath, `\`${value.from}\` names \`${ref.component}\`, which is not a resource or web service of this app`, missingHint(ref.component, [...components.keys()], 'resource'));
        }
        continue;
      }
      const outputs: readonly string[] = outputsByType[kind];
      if (!outputs.includes(ref.output)) {
        const near = closest(ref.output, outputs);
        add(fpath, `${kind} \`${ref.component}\` has no output \`${ref.output}\``, `${near ? `did you mean \`${ref.component}.${near}\`? ` : ''}outputs of a ${kind}: ${outputs.join(', ')}`);
      }
    } else if ('secret' in value) {
      const s = value.secret;
      const ok = s.startsWith('arn:') ? secretArn.test(s) : secretName.test(s);
      if (!ok) {
        add([...path, 'secret'], `"${s}" is not a secret name or ARN`, 'a name such as stripe-key (SSM /slipway/<app>/stripe-key), an SSM path such as /shop/stripe-key, or a full SSM or Secrets Manager ARN');
      }
    }
  }
}

function checkInstances(instances: Parameters<typeof instanceRange>[0], path: Path, add: Add): { min: number; max: number } {
  const range = instanceRange(instances);
  if (range.min > range.max) add([...path, 'min'], `min (${range.min}) is greater than max (${range.max})`, 'min must be ≤ max', { alsoAt: [[...path, 'max']] });
  return range;
}

function checkFloor(floor: ScheduleFloor, range: { min: number; max: number }, path: Path, add: Add): void {
  const problem = cronProblem(floor.cron);
  if (problem) add([...path, 'cron'], problem.message, problem.hint);
  if (floor.min === undefined && floor.max === undefined) add(path, 'a schedule entry sets `min`, `max` or both', 'such as { cron: "0 8 * * 1-5", min: 4 }');
  if (floor.min !== undefined && floor.max !== undefined && floor.min > floor.max) {
    add([...path, 'min'], `min (${floor.min}) is greater than max (${floor.max})`, 'min must be ≤ max', { alsoAt: [[...path, 'max']] });
  }
  if (floor.min !== undefined && floor.max === undefined && floor.min > range.max) {
    const instancesPath = path.slice(0, -2).concat('instances');
    const entry = `schedule[${String(path[path.length - 1])}]`;
    add([...path, 'min'], `${entry} raises min to ${floor.min}, above instances.max (${range.max})`,
      `AWS refuses a scheduled min above max: raise instances.max to at least ${floor.min} or add max: ${floor.min} to the entry; in an environment, schedule: [] drops the floors`,
      { alsoAt: [instancesPath] });
  }
}

function checkResources(config: PaasConfig, add: Add): void {
  for (const [name, resource] of Object.entries(config.resources)) {
    const base: Path = ['resources', name];
    if (resource.type === 'queue') {
      const visibility = durationToSeconds(resource.visibilityTimeout);
      const retention = durationToSeconds(resource.retention);
      if (visibility > 43200) add([...base, 'visibilityTimeout'], `visibilityTimeout ${resource.visibilityTimeout} is out of range`, 'SQS takes 0s to 12h');
      if (retention < 60 || retention > 14 * 86400) add([...base, 'retention'], `retention ${resource.retention} is out of range`, 'SQS keeps messages 1m to 14d');
    }
    if (resource.type === 'bucket' && resource.expireAfter !== undefined) {
      const seconds = durationToSeconds(resource.expireAfter);
      if (seconds < 86400 || seconds % 86400 !== 0) add([...base, 'expireAfter'], `expireAfter ${resource.expireAfter} is not a whole number of days`, 'S3 expires objects after whole days: 1d, 30d, 365d');
    }
    if (resource.type === 'postgres') {
      const gib = sizeToMiB(resource.storage) / 1024;
      if (gib < 20 || gib > 65536) add([...base, 'storage'], `storage ${resource.storage} is out of range`, 'RDS Postgres takes 20Gi to 64Ti');
    }
  }
}

function queueNames(config: PaasConfig): string[] {
  return namesOfType(config, 'queue');
}

function namesOfType(config: PaasConfig, type: string): string[] {
  return Object.entries(config.resources).filter(([, r]) => r.type === type).map(([n]) => n);
}

function missingHint(name: string, candidates: string[], kind: string): string {
  const near = closest(name, candidates);
  if (near) return `did you mean \`${near}\`?`;
  if (candidates.length > 0) return `defined: ${candidates.join(', ')}`;
  return `add it under resources: with type: ${kind === 'resource' ? '<postgres|redis|queue|bucket>' : kind}`;
}

/** `record[key]` when `key` is the record's own: a name from the file never reaches a prototype property. */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
