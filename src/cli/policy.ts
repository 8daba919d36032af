import type { CliIo } from './io.ts';

// Placeholder until this command is built; replaced by its owner.
export async function run(_args: string[], io: CliIo): Promise<number> {
  io.stderr('slipway policy: not built yet\n');
  return 1;
}
