// `npm run build` (and `npm ci`, through `prepare`): bundle the CLI into build/cli, so that
// `slipway` starts without resolving and compiling hundreds of small ES modules one by one.
//
// Bundled: our code and the pure-JS packages (hono, drizzle-orm, zod, yaml, octokit, …).
// Left as packages: those that find files next to their own code or are too large to gain from it —
// PGlite (its .wasm and .data beside its module), pg (optional native binding), cdktf,
// @cdktf/provider-aws and constructs (jsii; synthesis already loads them lazily), and tsx.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const external = ['@electric-sql/pglite', 'pg', 'cdktf', '@cdktf/provider-aws', 'constructs', 'tsx'];

// Drizzle's PGlite driver imports PGlite's whole module for a few type OIDs; it gets them from
// src/store/pglite-types.ts instead, so that only the thread that runs PGlite loads PGlite.
const drizzlePgliteTypes = {
  name: 'drizzle-pglite-types',
  setup(build) {
    build.onResolve({ filter: /^@electric-sql\/pglite$/ }, (args) =>
      /drizzle-orm[\\/]pglite[\\/]/.test(args.importer) ? { path: new URL('../src/store/pglite-types.ts', import.meta.url).pathname } : undefined,
    );
  },
};

rmSync(new URL('../build/cli', import.meta.url), { recursive: true, force: true });
await build({
  // The embedded store's thread (src/store/pglite-thread.ts) is an entry of its own: the service
  // starts it as build/cli/pglite-thread.js. So is each module the thread runs as a task
  // (src/store/store-thread-task.ts: the spool's loader, the metrics intake's writer): the thread
  // imports build/cli/<name>.js. And so is the
  // metrics intake's thread (src/metrics/intake-thread.ts): build/cli/intake-thread.js.
  entryPoints: {
    main: 'src/cli/main.ts',
    'pglite-thread': 'src/store/pglite-thread.ts',
    'spool-records': 'src/intake/spool-records.ts',
    'store-series-task': 'src/metrics/store-series-task.ts',
    'intake-thread': 'src/metrics/intake-thread.ts',
  },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: 'build/cli',
  external,
  // Bundled CommonJS packages call require() for Node built-ins; ES modules have no require.
  banner: { js: "import { createRequire as __slipwayRequire } from 'node:module'; const require = __slipwayRequire(import.meta.url);" },
  plugins: [drizzlePgliteTypes],
  logLevel: 'warning',
});
