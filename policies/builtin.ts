/**
 * The built-in policy packs: the YAML files beside this one, one pack per file (`storage.yaml` →
 * `builtin:storage`). Read once per process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/project-root.ts';

const folder = join(projectRoot, 'policies') + '/';
let cached: Map<string, string> | undefined;

/** Pack name (file name without `.yaml`) → YAML text. */
export function builtinPolicyFiles(): Map<string, string> {
  if (!cached) {
    cached = new Map(
      readdirSync(folder)
        .filter((name) => name.endsWith('.yaml'))
        .sort()
        .map((name) => [name.replace(/\.yaml$/, ''), readFileSync(`${folder}${name}`, 'utf8')]),
    );
  }
  return cached;
}
