// Bundles the Cloudflare Workers entry (src/worker-entry.ts) into one ES module for workerd, as
// wrangler would: the `workerd` export condition (node-postgres then talks through
// `cloudflare:sockets`), Node's built-in modules left to workerd's `nodejs_compat`.
//   node scripts/build-worker.mjs [out-file]     (default build/worker/worker.js)
import { builtinModules } from 'node:module';
import { build } from 'esbuild';

const builtins = new Set(builtinModules);

// CommonJS packages (node-postgres) `require()` Node's modules; an ES module bundle has no
// `require`, so each such call gets a small module that imports the built-in (as wrangler does).
const requireBuiltins = {
  name: 'require-builtins',
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (args.kind !== 'require-call' || !builtins.has(name)) return undefined;
      return { path: name, namespace: 'require-builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'require-builtin' }, (args) => ({ contents: `import m from 'node:${args.path}'; module.exports = m;`, loader: 'js' }));
  },
};

export async function buildWorker(outfile = new URL('../build/worker/worker.js', import.meta.url).pathname) {
  await build({
    entryPoints: [new URL('../src/worker-entry.ts', import.meta.url).pathname],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
    plugins: [requireBuiltins],
    logLevel: 'warning',
  });
  return outfile;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await buildWorker(process.argv[2]));
