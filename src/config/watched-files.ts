/**
 * Which repository files an app is made of, so that a push plans exactly the apps it touches:
 * always everything under the app's own folder (its paas.yaml's folder; the whole repository for a
 * root paas.yaml) and under `.slipway/` (repository policies), plus the app's `watch:` globs.
 * Globs are matched with picomatch, dot files included, against paths from the repository root.
 */
import picomatch from 'picomatch';
import type { LoadedApp } from './load-apps.ts';

/** Policies and other repository-wide Slipway files: a change there may change every app's result. */
export const repositoryFolderGlob = '.slipway/**';

export type WatchedFiles = {
  /** The globs, in the order they are tried: the folder, `.slipway/**`, then `watch:`. */
  patterns: string[];
  /** The first pattern `path` matches, or undefined when the path is not the app's. */
  match: (path: string) => string | undefined;
};

export function watchedFiles(app: Pick<LoadedApp, 'dir' | 'config'>): WatchedFiles {
  const folder = app.dir === '.' || app.dir === '' ? '**' : `${app.dir}/**`;
  const patterns = [...new Set([folder, repositoryFolderGlob, ...(app.config.watch ?? [])])];
  const matchers = patterns.map((pattern) => ({ pattern, test: picomatch(pattern, { dot: true }) }));
  return { patterns, match: (path) => matchers.find((m) => m.test(path))?.pattern };
}
