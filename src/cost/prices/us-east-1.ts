/**
 * us-east-1 on-demand list prices (Linux, USD), transcribed by hand from the AWS pricing pages named
 * beside each figure. Re-check them against the pages before relying on them for billing.
 */
import { priceMaker, sources as s, type RegionPrices } from './price-types.ts';

const p = priceMaker('2025-06');

export const usEast1: RegionPrices = {
  region: 'us-east-1',
  fargate: {
    vcpuHour: p(0.04048, 'vCPU-hour', s.fargate),
    gbHour: p(0.004445, 'GB-hour', s.fargate),
    vcpuHourArm: p(0.03238, 'vCPU-hour', s.fargate),
    gbHourArm: p(0.00356, 'GB-hour', s.fargate),
  },
  lambda: {
    gbSecond: p(0.0000166667, 'GB-second', s.lambda),
    gbSecondArm: p(0.0000133334, 'GB-second', s.lambda),
    requests: p(0.2, 'million requests', s.lambda),
  },
  rds: {
    instance: {
      'db.t4g.micro': p(0.016, 'hour', s.rds),
      'db.t4g.small': p(0.032, 'hour', s.rds),
      'db.t4g.medium': p(0.065, 'hour', s.rds),
      'db.t4g.large': p(0.129, 'hour', s.rds),
      'db.t4g.xlarge': p(0.258, 'hour', s.rds),
      'db.t3.micro': p(0.018, 'hour', s.rds),
      'db.t3.small': p(0.036, 'hour', s.rds),
      'db.t3.medium': p(0.072, 'hour', s.rds),
      'db.t3.large': p(0.145, 'hour', s.rds),
      'db.m7g.large': p(0.168, 'hour', s.rds),
      'db.m7g.xlarge': p(0.337, 'hour', s.rds),
      'db.m7g.2xlarge': p(0.674, 'hour', s.rds),
      'db.m6g.large': p(0.152, 'hour', s.rds),
      'db.m6g.xlarge': p(0.304, 'hour', s.rds),
      'db.m5.large': p(0.178, 'hour', s.rds),
      'db.r6g.large': p(0.225, 'hour', s.rds),
      'db.r6g.xlarge': p(0.45, 'hour', s.rds),
    },
    gp3GbMonth: p(0.115, 'GB-month', s.rds),
    gp2GbMonth: p(0.115, 'GB-month', s.rds),
    io1GbMonth: p(0.125, 'GB-month', s.rds),
  },
  elasticache: {
    node: {
      'cache.t4g.micro': p(0.016, 'hour', s.elasticache),
      'cache.t4g.small': p(0.032, 'hour', s.elasticache),
      'cache.t4g.medium': p(0.065, 'hour', s.elasticache),
      'cache.t3.micro': p(0.017, 'hour', s.elasticache),
      'cache.t3.small': p(0.034, 'hour', s.elasticache),
      'cache.t3.medium': p(0.068, 'hour', s.elasticache),
      'cache.m7g.large': p(0.158, 'hour', s.elasticache),
      'cache.m7g.xlarge': p(0.315, 'hour', s.elasticache),
      'cache.m6g.large': p(0.149, 'hour', s.elasticache),
      'cache.m6g.xlarge': p(0.298, 'hour', s.elasticache),
      'cache.r7g.large': p(0.219, 'hour', s.elasticache),
      'cache.r6g.large': p(0.206, 'hour', s.elasticache),
    },
  },
  alb: { hour: p(0.0225, 'hour', s.elb), lcuHour: p(0.008, 'LCU-hour', s.elb) },
  nlb: { hour: p(0.0225, 'hour', s.elb), nlcuHour: p(0.006, 'NLCU-hour', s.elb) },
  nat: { hour: p(0.045, 'hour', s.vpc), gb: p(0.045, 'GB processed', s.vpc) },
  s3: {
    standardGbMonth: p(0.023, 'GB-month', s.s3),
    putPer1000: p(0.005, '1,000 PUT/POST requests', s.s3),
    getPer1000: p(0.0004, '1,000 GET requests', s.s3),
  },
  cloudfront: { gbOut: p(0.085, 'GB out', s.cloudfront), httpsPer10k: p(0.01, '10,000 HTTPS requests', s.cloudfront) },
  sqs: { standardPerMillion: p(0.4, 'million requests', s.sqs), fifoPerMillion: p(0.5, 'million requests', s.sqs) },
  logs: { ingestGb: p(0.5, 'GB ingested', s.cloudwatch), storageGbMonth: p(0.03, 'GB-month stored', s.cloudwatch) },
  cloudwatch: { alarmMonth: p(0.1, 'alarm-month', s.cloudwatch) },
  secretsManager: { secretMonth: p(0.4, 'secret-month', s.secretsManager), apiPer10k: p(0.05, '10,000 API calls', s.secretsManager) },
  scheduler: { perMillion: p(1.0, 'million invocations', s.scheduler) },
  ecr: { gbMonth: p(0.1, 'GB-month', s.ecr) },
  kms: { keyMonth: p(1.0, 'key-month', s.kms) },
  route53: { zoneMonth: p(0.5, 'hosted zone-month', s.route53) },
  dynamodb: {
    writePerMillion: p(0.625, 'million write request units', s.dynamodb),
    readPerMillion: p(0.125, 'million read request units', s.dynamodb),
    storageGbMonth: p(0.25, 'GB-month', s.dynamodb),
  },
  efs: { standardGbMonth: p(0.3, 'GB-month', s.efs) },
};
