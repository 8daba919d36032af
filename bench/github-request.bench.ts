/**
 * What one GitHub write costs on top of the HTTP round trip, against the loopback GitHub double:
 * Slipway's installation client (octokit with its retry and throttling plugins, our limiter
 * settings), octokit with throttling disabled, and a bare fetch. Median of 60 sequential
 * `POST /repos/{o}/{r}/check-runs`.
 *
 *   node --import tsx bench/github-request.bench.ts
 */
import { Octokit } from 'octokit';
import { createGitHubApp } from '../src/github/app-auth.ts';
import { startGitHubDouble } from '../test/harness/github-double.ts';

const gh = await startGitHubDouble();
gh.addInstallation({ id: 5, account: 'acme', repositories: ['acme/web'] });
gh.addRepository('acme/web', { defaultBranch: 'main' });
const app = createGitHubApp({ appId: gh.appId, privateKey: gh.privateKeyPem, baseUrl: gh.url });
const token = (await app.installationToken(5)).token;
const body = { owner: 'acme', repo: 'web', name: 'slipway', head_sha: 'a'.repeat(40), status: 'completed' as const, conclusion: 'success' as const, output: { title: 't', summary: 's' } };

async function median(run: () => Promise<unknown>): Promise<string> {
  const xs: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t = performance.now();
    await run();
    xs.push(performance.now() - t);
  }
  return `${xs.sort((a, b) => a - b)[30]!.toFixed(1)} ms`;
}

const slipway = await app.octokit(5);
const unthrottled = new Octokit({ auth: token, baseUrl: gh.url, throttle: { enabled: false } });
console.log(`Slipway's installation client   ${await median(() => slipway.rest.checks.create(body))}`);
console.log(`octokit, throttling disabled    ${await median(() => unthrottled.rest.checks.create(body))}`);
console.log(
  `bare fetch                      ${await median(() =>
    fetch(`${gh.url}/repos/acme/web/check-runs`, { method: 'POST', headers: { authorization: `token ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.text()),
  )}`,
);
await gh.close();
process.exit(0);
