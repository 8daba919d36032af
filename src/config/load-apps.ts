/**
 * Every `paas.yaml` under a directory is one app (a monorepo may hold several). Reading is an edge:
 * the file system by default, or any `readFile`/`listFiles` pair; `loadAppsFromFiles` takes the
 * files already in memory (the GitHub worker reads them from git).
 */
import { posix } from 'node:path';
import type { ConfigError } from './errors.ts';
import { compareConfigErrors } from './errors.ts';
import type { FieldPath, LineMap, Location } from './line-map.ts';
import { parseConfigText } from './parse-config.ts';
import { limits } from './parse-yaml.ts';
import type { PaasConfig } from './schema.ts';

export const configFileName = 'paas.yaml';

export type LoadedApp = {
  /** Path of the paas.yaml relative to the loaded directory, with `/` separators. */
  file: string;
  /** Its folder, relative (`.` for the root). */
  dir: string;
  config: PaasConfig;
  source: string;
  locate: (path: FieldPath) => Location | undefined;
  /** The full line map (value-only positions, nearest enclosing field). */
  lines: LineMap;
};

export type LoadResult = { apps: LoadedApp[]; errors: ConfigError[] };

export type LoadDeps = {
  /** Reads a file (path relative to the loaded directory, `/` separators). */
  readFile: (file: string) => Promise<string>;
  /** Every `paas.yaml` under the directory, relative paths; node_modules and dot-folders already skipped. */
  listFiles: () => Promise<string[]>;
  /** Optional: the file's size, so an oversized file is refused without reading it. */
  fileSize?: (file: string) => Promise<number>;
};

/** Whether a repository path is an app's config: named paas.yaml, not inside node_modules or a dot-folder. */
export function isConfigPath(path: string): boolean {
  const parts = path.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts[parts.length - 1] !== configFileName) return false;
  return parts.slice(0, -1).every((part) => part !== 'node_modules' && !part.startsWith('.'));
}

export async function loadApps(dir: string, deps?: LoadDeps): Promise<LoadResult> {
  const io = deps ?? (await fileSystemDeps(dir));
  const files = (await io.listFiles()).map(normalize).filter(isConfigPath).sort();
  const contents = new Map<string, string>();
  const tooLarge: ConfigError[] = [];
  for (const file of files) {
    const size = io.fileSize ? await io.fileSize(file) : undefined;
    if (size !== undefined && size > limits.maxBytes) {
      tooLarge.push(fileTooLargeError(file, size));
      continue;
    }
    contents.set(file, await io.readFile(file));
  }
  const result = loadAppsFromFiles(contents);
  return { apps: result.apps, errors: [...tooLarge, ...result.errors].sort(compareConfigErrors) };
}

export function loadAppsFromFiles(files: Map<string, string> | Record<string, string>): LoadResult {
  const entries = files instanceof Map ? [...files.entries()] : Object.entries(files);
  const apps: LoadedApp[] = [];
  const errors: ConfigError[] = [];
  for (const [rawPath, source] of entries.map(([p, s]) => [normalize(p), s] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!isConfigPath(rawPath)) continue;
    const result = parseConfigText(source, rawPath);
    if (!result.ok) {
      errors.push(...result.errors);
      continue;
    }
    apps.push({ file: rawPath, dir: posix.dirname(rawPath), config: result.config, source, locate: result.locate, lines: result.lines });
  }
  errors.push(...duplicateNames(apps));
  return { apps: apps.filter((app) => !errors.some((e) => e.file === app.file)), errors: errors.sort(compareConfigErrors) };
}

/** App names key environments, state and stacks: two apps of one repository may not share one. */
function duplicateNames(apps: LoadedApp[]): ConfigError[] {
  const first = new Map<string, LoadedApp>();
  const errors: ConfigError[] = [];
  for (const app of apps) {
    const other = first.get(app.config.name);
    if (!other) {
      first.set(app.config.name, app);
      continue;
    }
    const at = app.lines.locateValue('name') ?? { line: 1, column: 1 };
    errors.push({ file: app.file, line: at.line, column: at.column, path: 'name', message: `app name \`${app.config.name}\` is already used by ${other.file}`, hint: 'each paas.yaml in a repository needs its own name' });
  }
  return errors;
}

/** The error for a file refused by its size alone (callers that stat or read from git before parsing). */
export function fileTooLargeError(file: string, size: number): ConfigError {
  return { file, line: 1, column: 1, path: '', message: `file is too large (${(size / (1024 * 1024)).toFixed(1)} MiB); the limit is ${limits.maxBytes / 1024} KiB, checked before parsing`, hint: 'a paas.yaml is a few KiB: move data out of it' };
}

function normalize(path: string): string {
  return posix.normalize(path.replace(/\\/g, '/')).replace(/^\.\//, '');
}

/** The default edge: the local file system. Symlinked folders are not followed (no loops). */
async function fileSystemDeps(dir: string): Promise<LoadDeps> {
  const { readdir, readFile, stat } = await import('node:fs/promises');
  const { join } = await import('node:path');
  return {
    readFile: (file) => readFile(join(dir, file), 'utf8'),
    fileSize: async (file) => (await stat(join(dir, file))).size,
    listFiles: async () => {
      const found: string[] = [];
      const pending = [''];
      while (pending.length > 0) {
        const rel = pending.pop()!;
        const entries = await readdir(join(dir, rel), { withFileTypes: true });
        for (const entry of entries) {
          const path = rel ? `${rel}/${entry.name}` : entry.name;
          if (entry.isDirectory()) {
            if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) pending.push(path);
          } else if (entry.isFile() && entry.name === configFileName) found.push(path);
        }
      }
      return found;
    },
  };
}
