/**
 * The folder holding Slipway's package.json. Data files that ship beside the code (migrations,
 * built-in policy packs, the JSON Schema) are found from here rather than relative to the calling
 * module, so that they are found the same way from the TypeScript sources and from the bundled CLI
 * in `build/cli/` (see `npm run build`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'slipway') return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find Slipway's package.json above ${start}`);
  }
}

export const projectRoot = findRoot(dirname(fileURLToPath(import.meta.url)));
