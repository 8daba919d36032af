/** The store a CLI command reads and writes (SLIPWAY_DATA_DIR or DATABASE_URL), or a one-line failure. */
import type { Store } from '../store/store.ts';
import type { CliIo } from './io.ts';

export async function openCliStore(command: string, io: CliIo): Promise<Store | undefined> {
  const [{ openStore }, { storeOptionsFromEnv }, { StoreError }] = await Promise.all([import('../store/open-store.ts'), import('../store/store-options.ts'), import('../store/store-error.ts')]);
  try {
    return await openStore(storeOptionsFromEnv(io.env, io.cwd));
  } catch (error) {
    if (error instanceof StoreError) {
      io.stderr(`slipway ${command}: ${error.message}\n`);
      return undefined;
    }
    throw error;
  }
}

/** Who runs the command, for the audit log: `cli:<user>`. */
export function cliActor(io: CliIo): string {
  return `cli:${io.env.SLIPWAY_ACTOR || io.env.USER || io.env.LOGNAME || 'unknown'}`;
}

/** Rows as aligned columns under a header. */
export function printTable(io: CliIo, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows]) io.stdout(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()}\n`);
}
