/**
 * Fargate Linux/x86 on-demand prices, USD per vCPU-hour and per GB-hour.
 * LOCAL STOPGAP: taken from https://aws.amazon.com/fargate/pricing/ (checked 2026-11); replace
 * with the cost model's price table (src/cost/) once it exports Fargate prices. Regions not listed
 * fall back to us-east-1 and the caller is told so.
 */
export type FargatePrice = { vcpuHour: number; gbHour: number };

const prices: Record<string, FargatePrice> = {
  'us-east-1': { vcpuHour: 0.04048, gbHour: 0.004445 },
  'us-east-2': { vcpuHour: 0.04048, gbHour: 0.004445 },
  'us-west-2': { vcpuHour: 0.04048, gbHour: 0.004445 },
  'eu-west-1': { vcpuHour: 0.04048, gbHour: 0.004445 },
  'eu-central-1': { vcpuHour: 0.04656, gbHour: 0.00511 },
  'ap-southeast-1': { vcpuHour: 0.05056, gbHour: 0.00553 },
};

export const hoursPerMonth = 730;

export function fargatePrice(region: string): { price: FargatePrice; exact: boolean } {
  const price = prices[region];
  return price ? { price, exact: true } : { price: prices['us-east-1'], exact: false };
}

/** Monthly cost of `tasks` always-on tasks of this size. */
export function taskMonthlyCost(cpu: number, memoryMiB: number, tasks: number, price: FargatePrice): number {
  return tasks * hoursPerMonth * (cpu * price.vcpuHour + (memoryMiB / 1024) * price.gbHour);
}
