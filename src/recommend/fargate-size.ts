/** The cheapest valid Fargate task size that holds at least the cpu and memory asked for. */
import { fargateMemoryByCpu } from '../config/units.ts';
import type { FargatePrice } from './fargate-prices.ts';

export function snapToFargate(cpu: number, memoryMiB: number, price: FargatePrice): { cpu: number; memoryMiB: number } | undefined {
  let best: { cpu: number; memoryMiB: number; cost: number } | undefined;
  for (const [c, memories] of fargateMemoryByCpu) {
    if (c + 1e-9 < cpu) continue;
    const m = memories.find((value) => value >= memoryMiB);
    if (m === undefined) continue;
    const cost = c * price.vcpuHour + (m / 1024) * price.gbHour;
    if (!best || cost < best.cost) best = { cpu: c, memoryMiB: m, cost };
  }
  return best && { cpu: best.cpu, memoryMiB: best.memoryMiB };
}
