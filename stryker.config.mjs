// @ts-check
/**
 * StrykerJS configuration for `npm run mutate` (scripts/mutate.mjs): one run per folder, each
 * mutating that folder only and running only the test files that exercise it, so a run fits on
 * a 2-core machine. The folder comes from MUTATE_FOLDER (set by scripts/mutate.mjs).
 *
 * The tap runner starts each test file as `node --import tsx <file>` (node:test prints TAP when
 * its output is not a terminal) and records which test file covers which mutant, so a mutant is
 * tried only against the files that reach it.
 */
import { mutationFolders } from './scripts/mutation-folders.mjs';

const folder = process.env.MUTATE_FOLDER ?? 'src/plan';
const target = mutationFolders[folder];
if (!target) throw new Error(`MUTATE_FOLDER=${folder} is not one of: ${Object.keys(mutationFolders).join(', ')}`);
const slug = folder.replaceAll('/', '-');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'tap',
  tap: {
    testFiles: target.tests,
    nodeArgs: ['--import', 'tsx'],
    // One failing test kills the mutant: stop the file there.
    forceBail: true,
  },
  plugins: ['@stryker-mutator/tap-runner'],
  mutate: target.mutate,
  coverageAnalysis: 'perTest',
  // The pure core is fast; the queue's tests open PGlite (about 1 s each).
  timeoutMS: 20_000,
  timeoutFactor: 2,
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 2),
  incremental: true,
  incrementalFile: `reports/mutation/${slug}.incremental.json`,
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${slug}.json` },
  htmlReporter: { fileName: `reports/mutation/${slug}.html` },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0, reportScoreTable: true, reportMutants: true },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: `.stryker-tmp/${slug}`,
  cleanTempDir: true,
  // The sandbox is a copy of the project: leave out what the tests never read.
  // tsx strips types without checking them, so there is nothing to disable; and Stryker's
  // tsconfig rewriting calls TypeScript's JS API, which TypeScript 7 (native) no longer has. Our
  // tsconfig.json has no `extends` or `references` outside the project to rewrite, so point the
  // option at a file that does not exist and the rewrite is skipped.
  disableTypeChecks: false,
  tsconfigFile: 'tsconfig.stryker-none.json',
  ignorePatterns: ['reports', 'bench', 'build', 'cdktf.out', '.slipway'],
};
