/** Turns the unit-bearing strings of `paas.yaml` into numbers. Inputs are already schema-valid. */
import type { Instances } from './schema.ts';

const sizeFactor: Record<string, number> = { Mi: 1, Gi: 1024, Ti: 1024 * 1024 };
const durationFactor: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** `512Mi` → 512, `1Gi` → 1024 (MiB). */
export function sizeToMiB(size: string): number {
  const match = /^(\d+(?:\.\d+)?)(Mi|Gi|Ti)$/.exec(size);
  if (!match) throw new RangeError(`not a size: ${size}`);
  return Math.round(Number(match[1]) * sizeFactor[match[2]]);
}

/** `20Gi` → 20 (GiB, rounded up): what RDS and EBS take. */
export function sizeToGiB(size: string): number {
  return Math.ceil(sizeToMiB(size) / 1024);
}

/** `30s` → 30, `5m` → 300, `3d` → 259200 (seconds). */
export function durationToSeconds(duration: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(duration);
  if (!match) throw new RangeError(`not a duration: ${duration}`);
  return Number(match[1]) * durationFactor[match[2]];
}

/** `instances: 3` → { min: 3, max: 3 }; absent → { min: 1, max: 1 }. */
export function instanceRange(instances: Instances | undefined): { min: number; max: number } {
  if (instances === undefined) return { min: 1, max: 1 };
  if (typeof instances === 'number') return { min: instances, max: instances };
  return instances;
}

/** Fargate task sizes: vCPU → the memory values (MiB) AWS accepts with it. */
export const fargateMemoryByCpu: ReadonlyMap<number, readonly number[]> = new Map([
  [0.25, [512, 1024, 2048]],
  [0.5, range(1024, 4096, 1024)],
  [1, range(2048, 8192, 1024)],
  [2, range(4096, 16384, 1024)],
  [4, range(8192, 30720, 1024)],
  [8, range(16384, 61440, 4096)],
  [16, range(32768, 122880, 8192)],
]);

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let value = from; value <= to; value += step) out.push(value);
  return out;
}

/** Defaults applied when a container service leaves cpu or memory out. */
export const defaultCpu = 0.25;
export const defaultMemory = '512Mi';
