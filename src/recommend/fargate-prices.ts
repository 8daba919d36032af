/**
 * Fargate Linux/x86 on-demand prices, USD per vCPU-hour and per GB-hour, from the cost model's
 * price table (src/cost/prices, sourced from https://aws.amazon.com/fargate/pricing/). A region
 * the table does not hold is priced at us-east-1 and the caller says so (`exact: false`).
 */
import { hoursPerMonth, priceTables } from '../cost/prices/index.ts';

export type FargatePrice = { vcpuHour: number; gbHour: number };

export { hoursPerMonth };

export function fargatePrice(region: string): { price: FargatePrice; exact: boolean } {
  const table = priceTables[region];
  const fargate = (table ?? priceTables['us-east-1']).fargate;
  return { price: { vcpuHour: fargate.vcpuHour.usd, gbHour: fargate.gbHour.usd }, exact: table !== undefined };
}

/** Monthly cost of `tasks` always-on tasks of this size. */
export function taskMonthlyCost(cpu: number, memoryMiB: number, tasks: number, price: FargatePrice): number {
  return tasks * hoursPerMonth * (cpu * price.vcpuHour + (memoryMiB / 1024) * price.gbHour);
}
