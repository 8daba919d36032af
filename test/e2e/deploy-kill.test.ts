/**
 * A worker process SIGKILLed while it applies a push (Postgres: the embedded store is one
 * process's, and its restart case is tested at the runner level in test/runner/): no Terraform
 * process and no lock are left, the deployment is found `interrupted` (by the next worker's
 * start-up), GitHub is told, and the next push applies. The service here takes webhooks only
 * (SLIPWAY_ROLE=web); the jobs run in worker processes of the real service.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import type { Runner } from '../../src/runner/index.ts';
import type { StateBackend } from '../../src/settings/runner-settings.ts';
import { deploymentHistory } from '../../src/store/deployments.ts';
import { deployments } from '../../src/store/schema.ts';
import { pushPayload } from '../harness/payloads.ts';
import { processesWith, readState, testStateBackend } from '../runner/runner-fixtures.ts';
import { postgresUrl, unique } from '../store/engines.ts';
import { startWorkerProcess } from './deploy-worker-process.ts';
import { eventually, startHarness, type Harness } from './service-harness.ts';

if (postgresUrl) {
  describe('a worker process killed mid-apply (two worker processes on Postgres)', () => {
    let h: Harness | undefined;
    let dropState: () => Promise<void> = async () => {};
    const workers: ChildProcess[] = [];
    const dirs: string[] = [];
    after(async () => {
      for (const w of workers) if (w.exitCode === null && w.signalCode === null) {
        w.kill('SIGTERM');
        await new Promise((resolve) => w.once('exit', resolve));
      }
      await h?.close();
      await dropState();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    it('leaves no process or lock; the deployment is interrupted, GitHub told, and the next push applies', async () => {
      const made = await testStateBackend();
      dropState = made.drop;
      const state = made.state as Extract<StateBackend, { kind: 'pg' }>;
      h = await startHarness({ role: 'web' }, { terraform: { state } });
      const worker = async () => {
        const dir = mkdtempSync(join(tmpdir(), 'slipway-worker-'));
        dirs.push(dir);
        const w = await startWorkerProcess(h!, state, dir, { LEASE_MS: '2000' });
        workers.push(w);
        return w;
      };
      const db = h.service.deps.store.db;
      const rowOf = async (sha: string) => (await db.select().from(deployments).where(eq(deployments.commitSha, sha)))[0];
      const name = unique('killed');
      const repo = await h.repo(`acme/${name}`);
      const marker = `300.${Math.floor(Math.random() * 1e6)}`;
      const yaml = (sleep?: string) => `version: 1\nname: ${name}\nservices:\n  web:\n    type: web\n    image: ghcr.io/acme/${name}:\${sha}\n    port: 8080\n${sleep ? `    env:\n      SLEEP: "${sleep}"\n` : ''}`;

      const first = await worker();
      const slow = await repo.commit({ 'paas.yaml': yaml(marker) });
      await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: slow }));
      await eventually('the apply’s provisioner to start', () => processesWith(marker).length > 0 || undefined, 90_000);
      assert.equal((await rowOf(slow))!.status, 'applying');
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      await eventually('Terraform’s processes to go (the watchdog)', () => processesWith(marker).length === 0 || undefined);

      await worker(); // its start-up finds the deployment applying, its lock free
      const interrupted = await eventually('the deployment to be interrupted', async () => ((await rowOf(slow))?.status === 'interrupted' ? rowOf(slow) : undefined), 60_000);
      assert.deepEqual((await deploymentHistory(db, interrupted!.id)).map((e) => e.status), ['queued', 'planning', 'planned', 'applying', 'interrupted']);
      // The killed job's lease runs out; its retry reports the end on GitHub.
      const ghDeployment = h.github.deployments.find((d) => d.repo === repo.fullName && d.sha === slow)!;
      await eventually('the failure status', () => h!.github.statuses.some((s) => s.deployment_id === ghDeployment.id && s.state === 'failure') || undefined, 60_000);

      const fixed = await repo.commit({ 'paas.yaml': yaml() });
      await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, before: slow, after: fixed }));
      const applied = await eventually('the next push to apply', async () => {
        const row = await rowOf(fixed);
        return row && ['succeeded', 'failed', 'interrupted', 'superseded', 'cancelled'].includes(row.status) ? row : undefined;
      }, 90_000);
      assert.equal(applied.status, 'succeeded', JSON.stringify(applied.failure));
      const stateNow = await readState({ state, root: '' } as unknown as Runner, { app: name, environment: 'production' });
      const web = stateNow!.resources.find((r) => r.type === 'terraform_data')!;
      assert.equal((web.instances[0]!.attributes.input as { value: { image: string } }).value.image, `ghcr.io/acme/${name}:${fixed}`);
    });
  });
}
