/**
 * The built-in policy packs: the YAML files beside this one, one pack per file (`storage.yaml` →
 * `builtin:storage`). Read once per process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const folder = fileURLToPath(new URL('.', import.meta.url));
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
