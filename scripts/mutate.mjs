// `npm run mutate [-- <folder>...]`: mutation testing with StrykerJS, one run per folder (all of
// scripts/mutation-folders.mjs when none is named), then a table of scores. Incremental: each
// folder keeps reports/mutation/<folder>.incremental.json (git-ignored), so a re-run only tries
// the mutants whose code or tests changed. `--force` re-runs every mutant. Not part of CI: a full
// run takes hours on 2 cores. Run it under `nice -n 10` on a shared machine.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mutationFolders } from './mutation-folders.mjs';

// Folders first, then Stryker's own options (`--force`, `--mutate <files>`), passed on as they are.
const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('--'));
const passThrough = firstOption < 0 ? [] : args.slice(firstOption);
const named = (firstOption < 0 ? args : args.slice(0, firstOption)).map((a) => a.replace(/\/+$/, ''));
const unknown = named.filter((f) => !(f in mutationFolders));
if (unknown.length > 0) {
  console.error(`Unknown folder(s): ${unknown.join(', ')}. Choose from: ${Object.keys(mutationFolders).join(', ')}`);
  process.exit(2);
}
const folders = named.length > 0 ? named : Object.keys(mutationFolders);

let failed = false;
for (const folder of folders) {
  console.log(`\n## ${folder}\n`);
  const result = spawnSync(process.execPath, ['node_modules/@stryker-mutator/core/bin/stryker.js', 'run', 'stryker.config.mjs', ...passThrough], {
    stdio: 'inherit',
    env: { ...process.env, ...mutationFolders[folder].env, MUTATE_FOLDER: folder },
  });
  if (result.status !== 0) failed = true;
}

// The score as Stryker defines it: killed + timeout over all valid mutants (no-coverage counts
// as survived); ignored and compile errors are left out.
console.log('\n| folder | mutants | killed | timeout | survived | no coverage | score |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const folder of folders) {
  const file = `reports/mutation/${folder.replaceAll('/', '-')}.json`;
  if (!existsSync(file)) {
    console.log(`| ${folder} | (no report) | | | | | |`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const count = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0 };
  for (const f of Object.values(report.files)) for (const m of f.mutants) if (m.status in count) count[m.status]++;
  const valid = count.Killed + count.Timeout + count.Survived + count.NoCoverage;
  const score = valid === 0 ? 'n/a' : `${((100 * (count.Killed + count.Timeout)) / valid).toFixed(1)} %`;
  console.log(`| ${folder} | ${valid} | ${count.Killed} | ${count.Timeout} | ${count.Survived} | ${count.NoCoverage} | ${score} |`);
}
process.exit(failed ? 1 : 0);
