/**
 * A worker process for the runner's multi-process tests: `node --import tsx test/runner/runner-process.ts`
 * with STORE (a postgres:// URL or a PGlite data folder), RUNNER_DATA_DIR, STATE (JSON of a
 * StateBackend), DEPLOYMENT_ID, APP and ENVIRONMENT. It runs that deployment through the runner
 * and prints `pgid <n>` for each Terraform process group and `done <status>` at the end.
 */
import { createRunner } from '../../src/runner/create-runner.ts';
import { runDeployment } from '../../src/runner/run-deployment.ts';
import type { StateBackend } from '../../src/settings/runner-settings.ts';
import { deploymentTerraformJson } from '../../src/store/deployment-runs.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';

const target = process.env.STORE!;
const databaseUrl = target.startsWith('postgres') ? target : undefined;
const store = await openStore(databaseUrl ? { databaseUrl } : { dataDir: target });
const made = await createRunner({
  settings: { state: JSON.parse(process.env.STATE!) as StateBackend, timeoutMs: 120_000 },
  dataDir: process.env.RUNNER_DATA_DIR!,
  ...(databaseUrl ? { databaseUrl } : {}),
  env: process.env,
  graceMs: 2_000,
});
if (!('runner' in made)) throw new Error(made.missing);
const deploymentId = Number(process.env.DEPLOYMENT_ID);
const result = await runDeployment(
  { db: store.db, runner: made.runner, log: (m) => process.stderr.write(`${m}\n`) },
  {
    deploymentId,
    terraformJson: (await deploymentTerraformJson(store.db, deploymentId)) as TerraformJson,
    workspace: { app: process.env.APP!, environment: process.env.ENVIRONMENT! },
    onProcessGroup: (pgid) => process.stdout.write(`pgid ${pgid}\n`),
  },
);
await store.close();
process.stdout.write(`done ${result.status}\n`);
