import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { deployments, webhookDeliveries } from '../../src/store/schema.ts';
import { pushPayload, ZERO_SHA } from '../harness/payloads.ts';
import { runGit } from '../harness/git-server.ts';
import { webhookHeaders } from '../harness/sign-webhook.ts';
import { eventually, helloApp, secret, startHarness, type Harness } from './service-harness.ts';

const bin = new URL('../../bin/slipway.js', import.meta.url).pathname;

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

// By repository too: two repositories' first commits with the same files can have the same sha.
const checkFor = (repo: string, sha: string) => () => h.github.checkRuns.find((r) => r.repo === repo && r.head_sha === sha && r.name === 'slipway');
const outcomeOf = async (id: string) => {
  const [row] = await h.service.deps.store.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id));
  return row?.outcome && !row.outcome.startsWith('failed, will retry') ? row.outcome : undefined;
};

describe('push to the default branch', () => {
  it('plans the app, records the deployment, reports a successful check run and a GitHub deployment', async () => {
    const repo = await h.repo('acme/hello');
    const sha = await repo.commit({ 'paas.yaml': helloApp() });
    const res = await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    assert.equal(res.status, 202);
    const run = await eventually('the check run', checkFor(repo.fullName, sha));
    assert.equal(run.conclusion, 'success');
    assert.match(run.output.summary ?? '', /No Terraform runner is configured/);
    const deployment = await eventually('the GitHub deployment status', () => {
      const d = h.github.deployments.find((x) => x.repo === repo.fullName && x.sha === sha);
      return d && h.github.statuses.filter((s) => s.deployment_id === d.id).length >= 2 ? d : undefined;
    });
    assert.equal(deployment.environment, 'production');
    const states = h.github.statuses.filter((s) => s.deployment_id === deployment.id).map((s) => s.state);
    assert.deepEqual(states, ['in_progress', 'pending']);
    const rows = await h.service.deps.store.db.select().from(deployments).where(eq(deployments.commitSha, sha));
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.status, 'planned');
    assert.ok(rows[0]!.terraformJson && typeof rows[0]!.terraformJson === 'object');
    // No Terraform on this service's PATH: it started, said so once, and plans only.
    assert.equal(h.logs.filter((l) => /no Terraform runner \(no terraform or tofu on the PATH/.test(l)).length, 1, h.logs.join('\n'));
  });

  it('plans a push that changes only code: the task definition takes the new commit\'s image, and the deployment carries that sha', async () => {
    const repo = await h.repo('acme/code-only');
    const first = await repo.commit({ 'paas.yaml': helloApp(), 'src/server.js': 'console.log(1);\n' });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: first }));
    await eventually('the first check', checkFor(repo.fullName, first));
    const second = await repo.commit({ 'src/server.js': 'console.log(2);\n' });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, before: first, after: second }));
    const run = await eventually('the second check', checkFor(repo.fullName, second));
    assert.equal(run.conclusion, 'success');
    const [row] = await h.service.deps.store.db.select().from(deployments).where(eq(deployments.commitSha, second));
    assert.ok(row, 'a deployment of the code-only commit');
    assert.equal(row.status, 'planned');
    const summary = row.planSummary as { changed: string[] };
    assert.equal(summary.changed.length, 1, summary.changed.join(', '));
    assert.match(summary.changed[0]!, /^replace aws_ecs_task_definition\./);
    const doc = row.terraformJson as { resource: Record<string, Record<string, { container_definitions: string }>> };
    const [definition] = Object.values(doc.resource.aws_ecs_task_definition!);
    assert.equal(JSON.parse(definition!.container_definitions)[0].image, `ghcr.io/acme/hello:${second}`);
  });

  it('gives byte-identical Terraform JSON from `slipway plan` on a checkout and from the worker, for the same commit', async () => {
    const repo = await h.repo('acme/same-bytes');
    const sha = await repo.commit({ 'paas.yaml': helloApp({ instances: 3 }) });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    await eventually('the check', checkFor(repo.fullName, sha));
    const [row] = await h.service.deps.store.db.select().from(deployments).where(eq(deployments.commitSha, sha));
    const checkout = mkdtempSync(join(tmpdir(), 'slipway-checkout-'));
    try {
      await runGit(['clone', '--quiet', repo.bareDir, checkout], tmpdir());
      await runGit(['checkout', '--quiet', sha], checkout);
      const cli = (args: string[]) => execFileSync(process.execPath, [bin, ...args], { cwd: checkout, encoding: 'utf8' });
      const plan = JSON.parse(cli(['plan', '.', '--sha', sha, '--format', 'json'])) as { apps: Array<{ configHash: string }> };
      assert.equal(plan.apps[0]!.configHash, row!.configHash, 'the same bytes (sha256 of the document)');
      assert.deepEqual(JSON.parse(cli(['synth', '.', '--sha', sha])), row!.terraformJson);
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });

  it('reports a neutral check and records no deployment for a repository without paas.yaml', async () => {
    const repo = await h.repo('acme/no-config');
    const sha = await repo.commit({ 'README.md': '# nothing to deploy\n' });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    const run = await eventually('the neutral check', checkFor(repo.fullName, sha));
    assert.equal(run.conclusion, 'neutral');
    assert.equal(h.github.deployments.filter((d) => d.repo === repo.fullName && d.sha === sha).length, 0);
  });

  it('fails the check with an annotation on the exact paas.yaml line of a config error', async () => {
    const repo = await h.repo('acme/invalid');
    const text = helloApp().replace('    port: 8080\n', '    port: eighty\n');
    const line = text.split('\n').findIndex((l) => l.includes('port: eighty')) + 1;
    const sha = await repo.commit({ 'paas.yaml': text });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    const run = await eventually('the failed check', checkFor(repo.fullName, sha));
    assert.equal(run.conclusion, 'failure');
    const annotation = run.output.annotations.find((a) => a.path === 'paas.yaml');
    assert.ok(annotation, 'an annotation on paas.yaml');
    assert.equal(annotation.start_line, line);
    assert.equal(annotation.annotation_level, 'failure');
    assert.equal(h.github.deployments.filter((d) => d.repo === repo.fullName && d.sha === sha).length, 0);
  });

  it('fails the check on a service or app named constructor (which broke synthesis), and the job ends instead of retrying', async () => {
    const repo = await h.repo('acme/constructor');
    const text = helloApp({ name: 'constructor' }).replace('  web:\n', '  constructor:\n');
    const sha = await repo.commit({ 'paas.yaml': text });
    const id = crypto.randomUUID();
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }), id);
    const run = await eventually('the failed check', checkFor(repo.fullName, sha));
    assert.equal(run.conclusion, 'failure');
    const lines = run.output.annotations.filter((a) => a.path === 'paas.yaml').map((a) => [a.start_line, a.message]);
    assert.deepEqual(lines.map(([line]) => line), [2, 6]);
    for (const [, message] of lines) assert.match(String(message), /reserved name/);
    const outcome = await eventually('the final outcome', () => outcomeOf(id));
    assert.match(outcome, /config errors/);
  });

  it('refuses a 10 MB paas.yaml without reading it, as a located config error', async () => {
    const repo = await h.repo('acme/huge');
    const sha = await repo.commit({ 'paas.yaml': `# ${'x'.repeat(10 * 1024 * 1024)}\n${helloApp()}` });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    const run = await eventually('the failed check', checkFor(repo.fullName, sha), 40_000);
    assert.equal(run.conclusion, 'failure');
    assert.match(run.output.annotations[0]?.message ?? '', /too large/);
  });

  it('plans only the apps whose folder changed: a push touching nothing of an app records no new deployment', async () => {
    const repo = await h.repo('acme/steady');
    const first = await repo.commit({ 'svc/paas.yaml': helloApp(), 'docs/notes.md': 'v1\n' });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: first }));
    await eventually('the first check', checkFor(repo.fullName, first));
    const second = await repo.commit({ 'docs/notes.md': 'v2\n' });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, before: first, after: second }));
    const run = await eventually('the second check', checkFor(repo.fullName, second));
    assert.equal(run.conclusion, 'success');
    assert.equal(run.output.title, 'No app affected by this push');
    assert.match(run.output.summary ?? '', /\*\*hello\*\* \(svc\/paas\.yaml\): not planned: none of the 1 file changed since [0-9a-f]{12} is watched \(`docs\/notes\.md`\)\. It watches `svc\/\*\*`, `\.slipway\/\*\*`/);
    const rows = await h.service.deps.store.db.select().from(deployments).where(eq(deployments.commitSha, second));
    assert.equal(rows.length, 0);
  });

  it('plans an app in a subfolder when a file its watch: globs name changes, and not for an unrelated file', async () => {
    const repo = await h.repo('acme/watched');
    const config = `${helloApp()}watch:\n  - "src/**"\n`;
    const first = await repo.commit({ 'deploy/paas.yaml': config, 'src/server.js': 'v1\n', 'docs/notes.md': 'v1\n' });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: first }));
    assert.match((await eventually('the first check', checkFor(repo.fullName, first))).output.summary ?? '', /Planned: first deployment/);

    const code = await repo.commit({ 'src/server.js': 'v2\n' });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, before: first, after: code }));
    const planned = await eventually('the code check', checkFor(repo.fullName, code));
    assert.equal(planned.output.title, 'Planned 1 app(s); not applied (no Terraform runner)');
    assert.match(planned.output.summary ?? '', /Planned: `src\/server\.js` changed \(watched by `src\/\*\*`\)/);
    const [row] = await h.service.deps.store.db.select().from(deployments).where(eq(deployments.commitSha, code));
    assert.equal(row?.status, 'planned');
    assert.match((row!.planSummary as { changed: string[] }).changed.join(' '), /replace aws_ecs_task_definition\./, 'the new commit\'s image');

    const docs = await repo.commit({ 'docs/notes.md': 'v2\n' });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, before: code, after: docs }));
    const skipped = await eventually('the docs check', checkFor(repo.fullName, docs));
    assert.equal(skipped.conclusion, 'success');
    assert.equal(skipped.output.title, 'No app affected by this push');
    assert.match(skipped.output.summary ?? '', /not planned: none of the 1 file changed since [0-9a-f]{12} is watched \(`docs\/notes\.md`\)\. It watches `deploy\/\*\*`, `\.slipway\/\*\*`, `src\/\*\*`/);
    assert.equal((await h.service.deps.store.db.select().from(deployments).where(eq(deployments.commitSha, docs))).length, 0);
  });

  it('never deploys an older commit over a newer one when pushes arrive out of order', async () => {
    const repo = await h.repo('acme/ordered');
    const older = await repo.commit({ 'paas.yaml': helloApp({ instances: 2 }) });
    const newer = await repo.commit({ 'paas.yaml': helloApp({ instances: 3 }) });
    const full = { fullName: 'acme/ordered', cloneUrl: repo.cloneUrl };
    await h.send('push', pushPayload({ repo: full, installationId: repo.installationId, before: older, after: newer }));
    await eventually('the newer check', checkFor(repo.fullName, newer));
    const lateId = crypto.randomUUID();
    await h.send('push', pushPayload({ repo: full, installationId: repo.installationId, after: older }), lateId);
    const run = await eventually('the older check', checkFor(repo.fullName, older));
    assert.equal(run.conclusion, 'skipped');
    assert.match((await eventually('the outcome', () => outcomeOf(lateId))) ?? '', /stale/);
    const planned = await h.service.deps.store.db.select().from(deployments).where(eq(deployments.commitSha, older));
    assert.equal(planned.length, 0);
  });

  it('deploys a force-push that rewrites history', async () => {
    const repo = await h.repo('acme/rewritten');
    const full = { fullName: 'acme/rewritten', cloneUrl: repo.cloneUrl };
    const base = await repo.commit({ 'paas.yaml': helloApp({ instances: 2 }) });
    const tip = await repo.commit({ 'paas.yaml': helloApp({ instances: 4 }) });
    await h.send('push', pushPayload({ repo: full, installationId: repo.installationId, before: base, after: tip }));
    await eventually('the first check', checkFor(repo.fullName, tip));
    const rewritten = await repo.commit({ 'paas.yaml': helloApp({ instances: 5 }) }, { parent: base });
    await h.send('push', pushPayload({ repo: full, installationId: repo.installationId, before: tip, after: rewritten, forced: true }));
    const run = await eventually('the rewritten check', checkFor(repo.fullName, rewritten));
    assert.equal(run.conclusion, 'success');
    const rows = await h.service.deps.store.db.select().from(deployments).where(eq(deployments.commitSha, rewritten));
    assert.equal(rows[0]?.status, 'planned');
  });

  it('records a deleted branch and a push to another branch without deploying', async () => {
    const repo = await h.repo('acme/branches');
    const full = { fullName: 'acme/branches', cloneUrl: repo.cloneUrl };
    const sha = await repo.commit({ 'paas.yaml': helloApp() }, { branch: 'feature' });
    const featureId = crypto.randomUUID();
    const deletedId = crypto.randomUUID();
    assert.equal((await h.send('push', pushPayload({ repo: full, installationId: repo.installationId, ref: 'refs/heads/feature', after: sha }), featureId)).status, 202);
    assert.equal((await h.send('push', pushPayload({ repo: full, installationId: repo.installationId, ref: 'refs/heads/feature', before: sha, after: ZERO_SHA }), deletedId)).status, 202);
    // Acknowledged deliveries reach the database from the spool within milliseconds.
    assert.match(await eventually('the feature outcome', () => outcomeOf(featureId)), /not the default branch/);
    assert.match(await eventually('the deletion outcome', () => outcomeOf(deletedId)), /not the default branch|deleted/);
    assert.equal(h.github.checkRuns.filter((r) => r.head_sha === sha).length, 0);
  });

  it('retries when GitHub answers 500 and rate-limits, without losing the delivery', async () => {
    const repo = await h.repo('acme/flaky');
    const sha = await repo.commit({ 'paas.yaml': helloApp() });
    h.github.injectFault({ method: 'POST', path: /\/repos\/acme\/flaky\/check-runs$/, status: 500, times: 6 });
    h.github.injectFault({ method: 'POST', path: /\/repos\/acme\/flaky\/deployments$/, status: 403, retryAfter: 1, times: 1 });
    const id = crypto.randomUUID();
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }), id);
    const run = await eventually('the check after retries', checkFor(repo.fullName, sha), 40_000);
    assert.equal(run.conclusion, 'success');
    await eventually('the deployment', () => h.github.deployments.find((d) => d.repo === repo.fullName && d.sha === sha));
    assert.match((await eventually('the outcome', () => outcomeOf(id))) ?? '', /planned/);
    const rows = await h.service.deps.store.db.select().from(deployments).where(eq(deployments.commitSha, sha));
    assert.equal(rows.length, 1, 'the retried job does not record the deployment twice');
  });

  it('reuses its GitHub Deployment when the job is retried after creating it', async () => {
    const repo = await h.repo('acme/retried');
    const sha = await repo.commit({ 'paas.yaml': helloApp() });
    // The deployment is created, then every try at its first status fails: octokit's own retries
    // give up, the job fails and runs again from the start.
    h.github.injectFault({ method: 'POST', path: /\/repos\/acme\/retried\/deployments\/\d+\/statuses$/, status: 500, times: 5 });
    const id = crypto.randomUUID();
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }), id);
    assert.match(await eventually('the outcome', () => outcomeOf(id), 40_000), /planned/);
    const ours = h.github.deployments.filter((d) => d.repo === repo.fullName && d.sha === sha);
    assert.equal(ours.length, 1, 'one GitHub Deployment for the commit, not one per try');
    const statuses = h.github.statuses.filter((s) => s.deployment_id === ours[0]!.id);
    assert.ok(statuses.length >= 2, 'the retry posted its statuses on the existing deployment');
  });

  it('ignores a push for an installation GitHub does not know, and does not retry it', async () => {
    const repo = await h.git.createRepo('stranger/app');
    const sha = await repo.commit({ 'paas.yaml': helloApp() });
    const id = crypto.randomUUID();
    await h.send('push', pushPayload({ repo: { fullName: 'stranger/app', cloneUrl: repo.cloneUrl }, installationId: 999_999, after: sha }), id);
    // GitHub is asked which installation holds the repository (as the App) before any token.
    assert.match(await eventually('the outcome', () => outcomeOf(id)), /^ignored: the App is not installed on stranger\/app \(the delivery names installation 999999\); no token was requested/);
    assert.equal(h.github.calls.filter((c) => c.path === '/app/installations/999999/access_tokens').length, 0);
    assert.equal(h.github.checkRuns.filter((r) => r.repo === 'stranger/app').length, 0);
  });
});

describe('bad input over HTTP', () => {
  const post = (body: string, headers: Record<string, string>) => fetch(`${h.service.url}/webhooks/github`, { method: 'POST', body, headers });
  const stored = async (id: string) => (await h.service.deps.store.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id))).length;

  it('answers 401 to a bad signature and stores nothing', async () => {
    const id = crypto.randomUUID();
    const body = JSON.stringify(pushPayload({ repo: { fullName: 'acme/x' }, installationId: 1, after: 'a'.repeat(40) }));
    const res = await post(body, { ...webhookHeaders('not-the-secret', 'push', body, id) });
    assert.equal(res.status, 401);
    assert.equal(await stored(id), 0);
  });

  it('answers 400 to malformed JSON and 415 to a wrong content type', async () => {
    const bad = '{"ref": "refs/heads/main", ';
    assert.equal((await post(bad, webhookHeaders(secret, 'push', bad))).status, 400);
    const text = 'hello';
    assert.equal((await post(text, { ...webhookHeaders(secret, 'push', text), 'content-type': 'text/plain' })).status, 415);
  });

  it('answers /healthz and /readyz', async () => {
    assert.equal((await fetch(`${h.service.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${h.service.url}/readyz`)).status, 200);
  });
});
