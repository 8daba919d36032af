import type { TickContext } from './tick-context.ts';

/** Step c of a tick (drift); filled in by the drift checker. */
export async function checkDrift(_ctx: TickContext): Promise<void> {}
