/**
 * `slipway migrate`: apply pending database migrations (the same ones `serve` applies at start-up)
 * to Postgres when DATABASE_URL is set, otherwise to the embedded PGlite data folder.
 */
import { parseArgs } from 'node:util';
import { openStore } from '../store/open-store.ts';
import { redactUrl } from '../store/redact-url.ts';
import { StoreError, causeMessage } from '../store/store-error.ts';
import { misplacedDatabaseNote, storeOptionsFromEnv } from '../store/store-options.ts';
import type { CliIo } from './io.ts';

const usage = 'Usage: slipway migrate [--database-url URL] [--data-dir DIR]\n  --data-dir DIR  Slipway\'s data folder, as SLIPWAY_DATA_DIR (the database is DIR/db, where slipway serve reads it)\n';

export async function run(args: string[], io: CliIo): Promise<number> {
  let values: { 'database-url'?: string; 'data-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: { 'database-url': { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    io.stderr(`slipway migrate: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  const env = {
    ...io.env,
    ...(values['database-url'] ? { DATABASE_URL: values['database-url'] } : {}),
    ...(values['data-dir'] ? { SLIPWAY_DATA_DIR: values['data-dir'], DATABASE_URL: values['database-url'] } : {}),
  };
  const options = storeOptionsFromEnv(env, io.cwd);
  const misplaced = misplacedDatabaseNote(env, io.cwd);
  if (misplaced) io.stderr(`slipway migrate: note: ${misplaced}\n`);
  const where = options.databaseUrl ? `Postgres at ${redactUrl(options.databaseUrl)}` : `PGlite data folder ${options.dataDir}`;
  try {
    const store = await openStore({ ...options, log: (msg) => io.stderr(`${msg}\n`) });
    await store.close();
  } catch (error) {
    const message = error instanceof StoreError ? error.message : `${where}: ${causeMessage(error)}`;
    io.stderr(`slipway migrate: ${message}\n`);
    return 1;
  }
  io.stdout(`slipway migrate: ${where} is up to date\n`);
  return 0;
}
