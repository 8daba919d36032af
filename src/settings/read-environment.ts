/**
 * The environment every `slipway` command sees: a `.env` file in the working folder (when there is
 * one) under the real environment, which wins. Read by the CLI before any command runs, so that
 * `SLIPWAY_DATA_DIR` or `DATABASE_URL` in `.env` mean the same to `migrate` and `metrics import`
 * as to `serve`. Never written to `process.env`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';

export function readEnvironment(env: Record<string, string | undefined>, cwd: string): Record<string, string | undefined> {
  const file = resolve(cwd, '.env');
  if (!existsSync(file)) return env;
  return { ...parseDotenv(readFileSync(file)), ...env };
}
