/**
 * The one thing Drizzle's PGlite driver imports from `@electric-sql/pglite`: the type OIDs it
 * sets parsers for. The CLI bundle maps that import here (scripts/build.mjs), so that the service's
 * thread, which talks to PGlite in the store thread, does not also load PGlite's 1 MB of JavaScript
 * (≈ 6 MB RSS). The values are Postgres' fixed OIDs, as PGlite exports them.
 */
export const types = { TIMESTAMP: 1114, TIMESTAMPTZ: 1184, INTERVAL: 1186, DATE: 1082 } as const;

/** Drizzle constructs a PGlite only when it is given no client; Slipway always gives one. */
export class PGlite {
  constructor() {
    throw new Error('drizzle-orm/pglite must be given a PGlite client in this bundle');
  }
}
