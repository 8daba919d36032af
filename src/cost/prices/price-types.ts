/** The shape of one region's price table. Every figure is a `Price`: amount, unit, source page and date. */
export type Price = {
  usd: number;
  unit: string;
  /** The public AWS pricing page the figure was taken from. */
  source: string;
  /** When the figure was read from that page (YYYY-MM). */
  asOf: string;
};

export type RegionPrices = {
  region: string;
  fargate: { vcpuHour: Price; gbHour: Price; vcpuHourArm: Price; gbHourArm: Price };
  lambda: { gbSecond: Price; gbSecondArm: Price; requests: Price };
  rds: { instance: Record<string, Price>; gp3GbMonth: Price; gp2GbMonth: Price; io1GbMonth: Price };
  elasticache: { node: Record<string, Price> };
  alb: { hour: Price; lcuHour: Price };
  nlb: { hour: Price; nlcuHour: Price };
  nat: { hour: Price; gb: Price };
  s3: { standardGbMonth: Price; putPer1000: Price; getPer1000: Price };
  cloudfront: { gbOut: Price; httpsPer10k: Price };
  sqs: { standardPerMillion: Price; fifoPerMillion: Price };
  logs: { ingestGb: Price; storageGbMonth: Price };
  cloudwatch: { alarmMonth: Price };
  secretsManager: { secretMonth: Price; apiPer10k: Price };
  scheduler: { perMillion: Price };
  ecr: { gbMonth: Price };
  kms: { keyMonth: Price };
  route53: { zoneMonth: Price };
  dynamodb: { writePerMillion: Price; readPerMillion: Price; storageGbMonth: Price };
  efs: { standardGbMonth: Price };
};

export const sources = {
  fargate: 'https://aws.amazon.com/fargate/pricing/',
  lambda: 'https://aws.amazon.com/lambda/pricing/',
  rds: 'https://aws.amazon.com/rds/postgresql/pricing/',
  elasticache: 'https://aws.amazon.com/elasticache/pricing/',
  elb: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
  vpc: 'https://aws.amazon.com/vpc/pricing/',
  s3: 'https://aws.amazon.com/s3/pricing/',
  cloudfront: 'https://aws.amazon.com/cloudfront/pricing/',
  sqs: 'https://aws.amazon.com/sqs/pricing/',
  cloudwatch: 'https://aws.amazon.com/cloudwatch/pricing/',
  secretsManager: 'https://aws.amazon.com/secrets-manager/pricing/',
  scheduler: 'https://aws.amazon.com/eventbridge/pricing/',
  ecr: 'https://aws.amazon.com/ecr/pricing/',
  kms: 'https://aws.amazon.com/kms/pricing/',
  route53: 'https://aws.amazon.com/route53/pricing/',
  dynamodb: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  efs: 'https://aws.amazon.com/efs/pricing/',
} as const;

/** Builds a region's table: `p(usd, unit, source)` with the file's date. */
export function priceMaker(asOf: string): (usd: number, unit: string, source: string) => Price {
  return (usd, unit, source) => ({ usd, unit, source, asOf });
}
