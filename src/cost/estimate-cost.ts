/**
 * `estimateCost`: the monthly cost of a Terraform JSON document, read from the attributes the
 * stacks set (desired counts, task sizes, instance classes, storage). Monthly = hourly × 730.
 * What depends on traffic (requests, GB out, logs) is estimated only from usage figures given in
 * `options.usage`; otherwise the component's quantity is `null` and the line is `usageBased`:
 * "depends on usage", never a silent zero. Types with no price are listed in `unpriced`.
 */
import { defaultComponentOf, isRecord, listTerraformEntries, type TerraformBlock, type TerraformEntry, type TerraformJson } from '../plan/terraform-json.ts';
import { freeTypes } from './free-types.ts';
import { hoursPerMonth, priceTables, type Price, type RegionPrices } from './prices/index.ts';
import { runsPerMonth } from './runs-per-month.ts';
import type { CostComponent, CostEstimate, CostLine } from './types.ts';

/** Usage figures for one resource, component, or everything (`'*'`): monthly totals. */
export type UsageFigures = {
  /** Requests / invocations / messages per month. */
  requestsPerMonth?: number;
  /** Average run or invocation time in milliseconds (Lambda, cron task runs). */
  durationMs?: number;
  /** Write requests per month (S3 PUT, DynamoDB writes). */
  writesPerMonth?: number;
  /** GB stored on average (S3, ECR, EFS, DynamoDB, logs). */
  storageGb?: number;
  /** GB transferred out or processed per month (CloudFront, NAT gateway). */
  dataGb?: number;
  /** GB of logs ingested per month. */
  logIngestGb?: number;
  /** Average load balancer capacity units consumed. */
  lcu?: number;
};

/** Keyed by Terraform address, `paas.yaml` component name, or `'*'` for all; the most specific wins per field. */
export type CostUsage = Record<string, UsageFigures>;

export type EstimateOptions = {
  region: string;
  usage?: CostUsage;
  componentOf?: (block: TerraformBlock) => string | undefined;
};

export class UnknownRegionError extends Error {
  readonly code = 'unknown-region';
  constructor(readonly region: string) {
    super(`no price table for region ${region} (priced: ${Object.keys(priceTables).join(', ')})`);
    this.name = 'UnknownRegionError';
  }
}

type Context = {
  prices: RegionPrices;
  entry: TerraformEntry;
  usage: UsageFigures;
  byAddress: Map<string, TerraformEntry>;
  entries: TerraformEntry[];
};

const noUsage: UsageFigures = Object.freeze({});

type Priced = { components: CostComponent[]; note?: string; priced?: boolean };
type Pricer = (ctx: Context) => Priced;

export function estimateCost(terraform: TerraformJson | null, options: EstimateOptions): CostEstimate {
  const prices = priceTables[options.region];
  if (!prices) throw new UnknownRegionError(options.region);
  const componentOf = options.componentOf ?? defaultComponentOf;
  const entries = listTerraformEntries(terraform).filter((entry) => entry.mode === 'managed');
  const byAddress = new Map(entries.map((entry) => [entry.address, entry]));
  const lines: CostLine[] = [];
  for (const entry of entries) {
    const component = componentOf(entry.block);
    const usage = options.usage ? { ...options.usage['*'], ...(component ? options.usage[component] : undefined), ...options.usage[entry.address] } : noUsage;
    lines.push(priceLine({ prices, entry, usage, byAddress, entries }, component));
  }
  return summarizeEstimate(options.region, lines);
}

/** Totals, the unpriced and usage-based lists and per-component sums for a set of lines. */
export function summarizeEstimate(region: string, lines: CostLine[]): CostEstimate {
  const byComponent: Record<string, number> = {};
  let monthly = 0;
  for (const line of lines) {
    monthly += line.monthly;
    const key = line.component ?? unassigned;
    byComponent[key] = (byComponent[key] ?? 0) + line.monthly;
  }
  return {
    region,
    currency: 'USD',
    monthly,
    lines,
    unpriced: lines.filter((line) => !line.priced).map((line) => line.address),
    usageBased: lines.filter((line) => line.usageBased).map((line) => line.address),
    byComponent,
  };
}

/** Where lines with no `paas.yaml` component are summed. */
export const unassigned = '(shared)';

function priceLine(ctx: Context, component: string | undefined): CostLine {
  const { entry } = ctx;
  const base = { address: entry.address, type: entry.type, ...(component ? { component } : {}) };
  const pricer = pricers[entry.type];
  if (!pricer) {
    if (freeTypes.has(entry.type)) return { ...base, monthly: 0, priced: true, usageBased: false, components: [], note: 'no charge of its own' };
    return { ...base, monthly: 0, priced: false, usageBased: false, components: [], note: 'not priced: this resource type is not in the price table' };
  }
  const result = pricer(ctx);
  const monthly = result.components.reduce((sum, c) => sum + (c.monthly ?? 0), 0);
  const line: CostLine = {
    ...base,
    monthly,
    priced: result.priced ?? true,
    usageBased: result.components.some((c) => c.monthly === null),
    components: result.components,
  };
  if (result.note) line.note = result.note;
  return line;
}

/** A component: monthly quantity × unit price, or "depends on usage" when the quantity is unknown. */
function part(name: string, price: Price, quantity: number | null | undefined, per = 1): CostComponent {
  const q = quantity === undefined || quantity === null || !Number.isFinite(quantity) ? null : quantity;
  // Quantities are kept in the price's unit (a million requests, 1,000 PUTs), so quantity × unitPrice = monthly.
  const inUnits = q === null ? null : q / per;
  return { name, unit: price.unit, quantity: inUnits, unitPrice: price.usd, monthly: inUnits === null ? null : inUnits * price.usd };
}

const num = (value: unknown): number | undefined => {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
};
const first = (value: unknown): Record<string, unknown> | undefined => (Array.isArray(value) ? (isRecord(value[0]) ? value[0] : undefined) : isRecord(value) ? value : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The block a `${type.name.attr}` reference points at. */
function referenced(ctx: Context, value: unknown, type: string): TerraformEntry | undefined {
  const text = str(value);
  if (!text) return undefined;
  const at = text.indexOf(`\${${type}.`);
  if (at >= 0) {
    const name = /^[A-Za-z0-9_-]+/.exec(text.slice(at + type.length + 3))?.[0];
    return name ? ctx.byAddress.get(`${type}.${name}`) : undefined;
  }
  // A planned value holds the ARN instead (`…:task-definition/<family>:<revision>`).
  const family = type === 'aws_ecs_task_definition' ? /:task-definition\/([^:]+)/.exec(text)?.[1] : undefined;
  return family ? ctx.entries.find((e) => e.type === type && e.block.family === family) : undefined;
}

type TaskSize = { vcpu: number; gb: number; arm: boolean };

function taskSize(task: TerraformEntry | undefined): TaskSize | undefined {
  if (!task) return undefined;
  const cpu = num(task.block.cpu);
  const memory = num(task.block.memory);
  if (cpu === undefined || memory === undefined) return undefined;
  const platform = first(task.block.runtime_platform);
  return { vcpu: cpu / 1024, gb: memory / 1024, arm: str(platform?.cpu_architecture)?.toUpperCase() === 'ARM64' };
}

function fargateParts(ctx: Context, size: TaskSize, taskHours: number | null, label: string): CostComponent[] {
  const f = ctx.prices.fargate;
  const hours = taskHours === null ? null : taskHours;
  return [
    part(`${label} vCPU (${size.vcpu} vCPU${size.arm ? ', ARM' : ''})`, size.arm ? f.vcpuHourArm : f.vcpuHour, hours === null ? null : hours * size.vcpu),
    part(`${label} memory (${size.gb} GB)`, size.arm ? f.gbHourArm : f.gbHour, hours === null ? null : hours * size.gb),
  ];
}

/** The scaling floor: an autoscaling target for this service wins over desired_count. */
function serviceCount(ctx: Context): { count: number | undefined; from: string } {
  const { entry } = ctx;
  const literalName = str(entry.block.name);
  for (const other of ctx.entries) {
    if (other.type !== 'aws_appautoscaling_target') continue;
    const resourceId = str(other.block.resource_id) ?? '';
    const points = resourceId.includes(`aws_ecs_service.${entry.name}.`) || (literalName !== undefined && !literalName.includes('${') && resourceId.endsWith(`/${literalName}`));
    if (points) {
      const min = num(other.block.min_capacity);
      if (min !== undefined) return { count: min, from: `autoscaling minimum (${other.address})` };
    }
  }
  const desired = num(entry.block.desired_count);
  return { count: desired, from: 'desired_count' };
}

const pricers: Record<string, Pricer> = {
  aws_ecs_service(ctx) {
    const size = taskSize(referenced(ctx, ctx.entry.block.task_definition, 'aws_ecs_task_definition'));
    const { count, from } = serviceCount(ctx);
    if (!size) {
      const f = ctx.prices.fargate;
      return { components: [part('Fargate tasks', f.vcpuHour, null)], note: 'task size unknown: its task definition is not in this document' };
    }
    const n = count ?? 0;
    return {
      components: fargateParts(ctx, size, n * hoursPerMonth, `Fargate ×${n}`),
      note: count === undefined ? 'no desired_count: 0 tasks assumed' : `${n} task${n === 1 ? '' : 's'} (${from}) × 730 h`,
    };
  },
  aws_scheduler_schedule(ctx) {
    const expression = str(ctx.entry.block.schedule_expression) ?? '';
    const runs = runsPerMonth(expression) ?? null;
    const components = [part('Scheduler invocations', ctx.prices.scheduler.perMillion, runs, 1_000_000)];
    const target = first(ctx.entry.block.target);
    const ecs = first(target?.ecs_parameters);
    let note = runs === null ? `schedule "${expression}" could not be read` : `${round(runs)} runs/month (${expression})`;
    if (ecs) {
      const size = taskSize(referenced(ctx, ecs.task_definition_arn, 'aws_ecs_task_definition'));
      const duration = ctx.usage.durationMs;
      if (size) {
        const hours = runs === null || duration === undefined ? null : (runs * duration) / 3_600_000;
        components.push(...fargateParts(ctx, size, hours, 'Fargate task runs'));
        if (duration === undefined) note += '; task run time depends on usage';
      } else {
        components.push(part('Fargate task runs', ctx.prices.fargate.vcpuHour, null));
        note += '; task size unknown';
      }
    }
    return { components, note };
  },
  aws_lambda_function(ctx) {
    const memoryGb = (num(ctx.entry.block.memory_size) ?? 128) / 1024;
    const arm = Array.isArray(ctx.entry.block.architectures) && ctx.entry.block.architectures.includes('arm64');
    const { requestsPerMonth: requests, durationMs } = ctx.usage;
    const gbSeconds = requests === undefined || durationMs === undefined ? null : requests * (durationMs / 1000) * memoryGb;
    return {
      components: [
        part('Lambda requests', ctx.prices.lambda.requests, requests, 1_000_000),
        part(`Lambda compute (${memoryGb * 1024} MB${arm ? ', ARM' : ''})`, arm ? ctx.prices.lambda.gbSecondArm : ctx.prices.lambda.gbSecond, gbSeconds),
      ],
      note: 'free tier not deducted',
    };
  },
  aws_db_instance(ctx) {
    const b = ctx.entry.block;
    const instanceClass = str(b.instance_class) ?? '(unknown)';
    const multiAz = b.multi_az === true;
    const factor = multiAz ? 2 : 1;
    const price = ctx.prices.rds.instance[instanceClass];
    const storageType = str(b.storage_type) ?? 'gp2';
    const storagePrice = storageType === 'gp3' ? ctx.prices.rds.gp3GbMonth : storageType.startsWith('io') ? ctx.prices.rds.io1GbMonth : ctx.prices.rds.gp2GbMonth;
    const storage = num(b.allocated_storage) ?? 20;
    const components: CostComponent[] = [];
    if (price) components.push(part(`RDS ${instanceClass}${multiAz ? ' Multi-AZ (×2)' : ''}`, price, hoursPerMonth * factor));
    components.push(part(`RDS ${storageType} storage ${storage} GB${multiAz ? ' (×2)' : ''}`, storagePrice, storage * factor));
    if (!price) return { components, priced: false, note: `not priced: instance class ${instanceClass} is not in the price table` };
    return { components, note: 'backup storage up to the database size is free' };
  },
  aws_elasticache_replication_group(ctx) {
    const b = ctx.entry.block;
    const nodeType = str(b.node_type) ?? '(unknown)';
    const nodes = num(b.num_cache_clusters) ?? (num(b.num_node_groups) ?? 1) * (1 + (num(b.replicas_per_node_group) ?? 0));
    return cacheNodes(ctx, nodeType, nodes);
  },
  aws_elasticache_cluster(ctx) {
    return cacheNodes(ctx, str(ctx.entry.block.node_type) ?? '(unknown)', num(ctx.entry.block.num_cache_nodes) ?? 1);
  },
  aws_lb(ctx) {
    return loadBalancer(ctx);
  },
  aws_alb(ctx) {
    return loadBalancer(ctx);
  },
  aws_nat_gateway(ctx) {
    return {
      components: [part('NAT gateway hours', ctx.prices.nat.hour, hoursPerMonth), part('NAT data processed', ctx.prices.nat.gb, ctx.usage.dataGb)],
    };
  },
  aws_s3_bucket(ctx) {
    const s = ctx.prices.s3;
    return {
      components: [
        part('S3 Standard storage', s.standardGbMonth, ctx.usage.storageGb),
        part('S3 GET requests', s.getPer1000, ctx.usage.requestsPerMonth, 1000),
        part('S3 PUT requests', s.putPer1000, ctx.usage.writesPerMonth, 1000),
      ],
    };
  },
  aws_cloudfront_distribution(ctx) {
    const c = ctx.prices.cloudfront;
    return {
      components: [part('CloudFront data out', c.gbOut, ctx.usage.dataGb), part('CloudFront HTTPS requests', c.httpsPer10k, ctx.usage.requestsPerMonth, 10_000)],
      note: 'North America / Europe edge rates; free tier not deducted',
    };
  },
  aws_sqs_queue(ctx) {
    const fifo = ctx.entry.block.fifo_queue === true;
    const price = fifo ? ctx.prices.sqs.fifoPerMillion : ctx.prices.sqs.standardPerMillion;
    return { components: [part(`SQS ${fifo ? 'FIFO' : 'standard'} requests`, price, ctx.usage.requestsPerMonth, 1_000_000)] };
  },
  aws_cloudwatch_log_group(ctx) {
    const l = ctx.prices.logs;
    const ingest = ctx.usage.logIngestGb;
    const retention = num(ctx.entry.block.retention_in_days);
    // Steady state: what is kept is what arrives during the retention window.
    const stored = ctx.usage.storageGb ?? (ingest !== undefined && retention !== undefined && retention > 0 ? (ingest * retention) / (730 / 24) : undefined);
    return { components: [part('Logs ingested', l.ingestGb, ingest), part('Logs stored', l.storageGbMonth, stored)] };
  },
  aws_cloudwatch_metric_alarm(ctx) {
    return { components: [part('CloudWatch alarm', ctx.prices.cloudwatch.alarmMonth, 1)] };
  },
  aws_secretsmanager_secret(ctx) {
    const sm = ctx.prices.secretsManager;
    return { components: [part('Secrets Manager secret', sm.secretMonth, 1), part('Secrets Manager API calls', sm.apiPer10k, ctx.usage.requestsPerMonth, 10_000)] };
  },
  aws_ecr_repository(ctx) {
    return { components: [part('ECR image storage', ctx.prices.ecr.gbMonth, ctx.usage.storageGb)] };
  },
  aws_kms_key(ctx) {
    return { components: [part('KMS key', ctx.prices.kms.keyMonth, 1)] };
  },
  aws_route53_zone(ctx) {
    return { components: [part('Route 53 hosted zone', ctx.prices.route53.zoneMonth, 1)] };
  },
  aws_dynamodb_table(ctx) {
    const d = ctx.prices.dynamodb;
    if (str(ctx.entry.block.billing_mode) === 'PROVISIONED') {
      return { components: [], priced: false, note: 'not priced: provisioned-capacity DynamoDB is not in the price table' };
    }
    return {
      components: [
        part('DynamoDB writes', d.writePerMillion, ctx.usage.writesPerMonth, 1_000_000),
        part('DynamoDB reads', d.readPerMillion, ctx.usage.requestsPerMonth, 1_000_000),
        part('DynamoDB storage', d.storageGbMonth, ctx.usage.storageGb),
      ],
    };
  },
  aws_efs_file_system(ctx) {
    return { components: [part('EFS Standard storage', ctx.prices.efs.standardGbMonth, ctx.usage.storageGb)] };
  },
};

function cacheNodes(ctx: Context, nodeType: string, nodes: number): Priced {
  const price = ctx.prices.elasticache.node[nodeType];
  if (!price) return { components: [], priced: false, note: `not priced: node type ${nodeType} is not in the price table` };
  return { components: [part(`ElastiCache ${nodeType} ×${nodes}`, price, hoursPerMonth * nodes)] };
}

function loadBalancer(ctx: Context): Priced {
  const network = str(ctx.entry.block.load_balancer_type) === 'network';
  const p = network ? ctx.prices.nlb : ctx.prices.alb;
  const capacity = ctx.usage.lcu === undefined ? null : ctx.usage.lcu * hoursPerMonth;
  return {
    components: [
      part(`${network ? 'NLB' : 'ALB'} hours`, p.hour, hoursPerMonth),
      part(network ? 'NLB capacity units' : 'ALB capacity units (LCU)', 'nlcuHour' in p ? p.nlcuHour : p.lcuHour, capacity),
    ],
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
