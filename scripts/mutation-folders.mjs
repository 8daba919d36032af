/**
 * What `npm run mutate` mutates, folder by folder, and the test files each folder's run uses.
 * A folder's run only starts the test files listed here (and, per mutant, only those of them that
 * reach the mutated code), so keep each list to the tests that exercise the folder.
 */
const ts = (folder) => [`${folder}/**/*.ts`, `!${folder}/**/*.d.ts`];

export const mutationFolders = {
  'src/config': { mutate: [...ts('src/config'), '!src/config/write-json-schema.ts'], tests: ['test/config/*.test.ts'] },
  'src/plan': { mutate: ts('src/plan'), tests: ['test/plan/*.test.ts'] },
  'src/cost': { mutate: ts('src/cost'), tests: ['test/cost/*.test.ts'] },
  'src/policy': { mutate: ts('src/policy'), tests: ['test/policy/*.test.ts'] },
  'src/recommend': { mutate: ts('src/recommend'), tests: ['test/recommend/*.test.ts'] },
  'src/synth': { mutate: ts('src/synth'), tests: ['test/synth/*.test.ts'] },
  stacks: { mutate: ts('stacks'), tests: ['test/synth/*.test.ts'] },
  // The queue's tests run on PGlite (and on Postgres too when DATABASE_URL is set). The
  // multi-process test is left out: its workers are child processes Stryker cannot see into.
  'src/jobs': {
    mutate: ts('src/jobs'),
    tests: ['test/jobs/queue.test.ts', 'test/jobs/queue-details.test.ts', 'test/jobs/keyed-takeover.test.ts', 'test/jobs/worker.test.ts', 'test/jobs/worker-details.test.ts'],
    // Embedded PGlite, and Postgres when DATABASE_URL is set (the lost-connection paths are tested there).
    env: { SLIPWAY_TEST_ENGINES: 'pglite,postgres' },
  },
};
