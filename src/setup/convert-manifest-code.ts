/**
 * The last step of the manifest flow: GitHub redirected back with a `code` (valid for one hour,
 * once); `POST /app-manifests/{code}/conversions` (no authentication) answers with the new App's
 * id, private key, webhook secret and OAuth client. Nothing of the answer is logged.
 */
import type { StoredAppCredentials } from '../settings/app-credentials-file.ts';
import { SetupError } from './setup-error.ts';

export async function convertManifestCode(input: { githubApiUrl: string; githubUrl: string; code: string; fetch?: typeof fetch }): Promise<StoredAppCredentials> {
  const request = input.fetch ?? fetch;
  const url = `${input.githubApiUrl.replace(/\/+$/, '')}/app-manifests/${encodeURIComponent(input.code)}/conversions`;
  let response: Response;
  try {
    response = await request(url, { method: 'POST', headers: { accept: 'application/vnd.github+json', 'user-agent': 'slipway-setup' }, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new SetupError(502, `GitHub (${new URL(url).origin}) did not answer the code exchange: ${(error as Error).message}`);
  }
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (response.status === 404 || response.status === 422) {
    throw new SetupError(400, 'GitHub refused the code: it was used already or is more than an hour old. Start the set-up again.');
  }
  if (!response.ok || !body) throw new SetupError(502, `GitHub answered ${response.status} to the code exchange`);
  const text = (name: string) => (typeof body[name] === 'string' && body[name] !== '' ? (body[name] as string) : undefined);
  const id = body.id;
  const [slug, pem, webhookSecret, clientId, clientSecret] = [text('slug'), text('pem'), text('webhook_secret'), text('client_id'), text('client_secret')];
  if (typeof id !== 'number' || !slug || !pem || !webhookSecret || !clientId || !clientSecret) {
    throw new SetupError(502, 'GitHub’s answer to the code exchange lacks the App’s id, key, webhook secret or OAuth client');
  }
  return { appId: id, slug, privateKey: pem, webhookSecret, clientId, clientSecret, githubUrl: input.githubUrl, githubApiUrl: input.githubApiUrl };
}
