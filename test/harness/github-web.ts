// The pages of github.com the set-up page and dashboard sign-in send people to, as the GitHub
// double serves them (on the same loopback server as its REST API): the manifest flow's new-App
// page and code conversion, the App's install page (which then delivers a signed `installation`
// webhook, as GitHub does), and OAuth sign-in (authorize page, code → user token, `GET /user`,
// the user's repositories of an installation with their permissions). Checks what GitHub checks:
// the manifest's fields, codes used once and within an hour, the OAuth client's id and secret.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { signWebhook } from './sign-webhook.ts';
import { installationPayload } from './payloads.ts';

type Access = 'read' | 'write';
export type Permission = 'admin' | 'write' | 'read' | 'none';

export interface RegisteredApp {
  id: number;
  slug: string;
  name: string;
  owner: string;
  manifest: Record<string, any>;
  webhookSecret: string;
  clientId: string;
  clientSecret: string;
}

export interface GitHubWeb {
  /** The App created through the manifest flow (once a code was converted). */
  registered?: RegisteredApp;
  /** Who is signed in to "github.com" in the browser (the OAuth authorize page acts as them). */
  webUser: string;
  /** Repositories the install page grants to the new installation, and its account. */
  installTarget: { account: string; repositories: string[] };
  /** Webhook deliveries the double sent, with the status Slipway answered. */
  sentWebhooks: Array<{ event: string; status: number }>;
  userTokens: Map<string, string>;
}

interface Host {
  url: () => string;
  appId: number;
  privateKeyPem: string;
  now: () => number;
  addInstallation(input: { id: number; account: string; repositories: string[] }): { id: number; permissions: Record<string, Access> };
  installations: Map<number, { id: number; account: string; repositories: string[] }>;
  permissionOf(repo: string, user: string): Permission;
  repositoryId(repo: string): number;
}

const page = (title: string, body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} · GitHub (double)</title></head><body><main>${body}</main></body></html>`;
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function createGitHubWeb(host: Host) {
  const web: GitHubWeb = { webUser: 'octocat', installTarget: { account: 'acme', repositories: ['acme/shop'] }, sentWebhooks: [], userTokens: new Map() };
  const manifestCodes = new Map<string, { manifest: Record<string, any>; owner: string; expiresAt: number }>();
  const oauthCodes = new Map<string, { user: string; clientId: string; expiresAt: number }>();
  let nextInstallation = 7000;

  const html = (res: ServerResponse, status: number, body: string) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  const redirect = (res: ServerResponse, location: string) => res.writeHead(302, { location }).end();

  function checkManifest(manifest: any): string | undefined {
    if (typeof manifest?.name !== 'string' || manifest.name.length === 0 || manifest.name.length > 34) return 'name';
    if (typeof manifest.url !== 'string') return 'url';
    if (typeof manifest.hook_attributes?.url !== 'string') return 'hook_attributes.url';
    if (typeof manifest.redirect_url !== 'string') return 'redirect_url';
    const known = ['checks', 'contents', 'deployments', 'issues', 'pull_requests', 'metadata', 'members', 'statuses', 'actions'];
    for (const [name, access] of Object.entries(manifest.default_permissions ?? {})) {
      if (!known.includes(name) || !['read', 'write'].includes(access as string)) return `default_permissions.${name}`;
    }
    for (const event of manifest.default_events ?? []) if (!['push', 'pull_request', 'issue_comment', 'check_run', 'deployment'].includes(event)) return `default_events ${event}`;
    return undefined;
  }

  async function deliver(event: string, payload: unknown): Promise<void> {
    const app = web.registered!;
    const body = JSON.stringify(payload);
    const response = await fetch(app.manifest.hook_attributes.url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'GitHub-Hookshot/double', 'x-github-event': event, 'x-github-delivery': crypto.randomUUID(), 'x-hub-signature-256': signWebhook(app.webhookSecret, body) },
    });
    web.sentWebhooks.push({ event, status: response.status });
  }

  /** Handles a web page or web-flow API call; false when the path is not one of them. */
  async function handle(req: IncomingMessage, res: ServerResponse, path: string, query: Record<string, string>, raw: string): Promise<boolean> {
    const method = req.method ?? 'GET';
    const form = () => Object.fromEntries(new URLSearchParams(raw));
    const newApp = /^\/(?:organizations\/([^/]+)\/)?settings\/apps\/new$/.exec(path);
    if (newApp && method === 'POST') {
      let manifest: any;
      try {
        manifest = JSON.parse(form().manifest ?? '');
      } catch {
        html(res, 422, page('Invalid manifest', '<p>The manifest is not JSON.</p>'));
        return true;
      }
      const wrong = checkManifest(manifest);
      if (wrong) {
        html(res, 422, page('Invalid manifest', `<p>Invalid manifest field: ${escape(wrong)}</p>`));
        return true;
      }
      const owner = newApp[1] ?? web.webUser;
      const code = randomBytes(20).toString('hex');
      manifestCodes.set(code, { manifest, owner, expiresAt: host.now() + 3_600_000 });
      const back = new URL(manifest.redirect_url);
      back.searchParams.set('code', code);
      if (query.state !== undefined) back.searchParams.set('state', query.state);
      html(res, 200, page('Create GitHub App', `<h1>Create GitHub App for ${escape(owner)}</h1><p>${escape(manifest.name)}</p><a id="create" href="${escape(back.toString())}">Create GitHub App for ${escape(owner)}</a>`));
      return true;
    }
    const conversion = /^\/app-manifests\/([^/]+)\/conversions$/.exec(path);
    if (conversion && method === 'POST') {
      const pending = manifestCodes.get(conversion[1]!);
      manifestCodes.delete(conversion[1]!);
      if (!pending || pending.expiresAt <= host.now()) {
        json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/apps/apps#create-a-github-app-from-a-manifest' });
        return true;
      }
      const slug = pending.manifest.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
      web.registered = { id: host.appId, slug, name: pending.manifest.name, owner: pending.owner, manifest: pending.manifest, webhookSecret: randomBytes(20).toString('hex'), clientId: `Iv1.${randomBytes(8).toString('hex')}`, clientSecret: randomBytes(20).toString('hex') };
      const r = web.registered;
      json(res, 201, { id: r.id, slug: r.slug, node_id: `A_${r.id}`, name: r.name, owner: { login: r.owner }, html_url: `${host.url()}/apps/${r.slug}`, client_id: r.clientId, client_secret: r.clientSecret, webhook_secret: r.webhookSecret, pem: host.privateKeyPem, permissions: r.manifest.default_permissions, events: r.manifest.default_events });
      return true;
    }
    const install = /^\/apps\/([^/]+)\/installations\/new$/.exec(path);
    if (install) {
      if (!web.registered || web.registered.slug !== install[1]) {
        html(res, 404, page('Not found', '<p>No such App.</p>'));
        return true;
      }
      if (method === 'GET') {
        const { account, repositories } = web.installTarget;
        html(res, 200, page(`Install ${web.registered.name}`, `<h1>Install ${escape(web.registered.name)}</h1><p>on ${escape(account)}: ${repositories.map(escape).join(', ')}</p><form method="post"><button type="submit">Install</button></form>`));
        return true;
      }
      const { account, repositories } = web.installTarget;
      const installation = host.addInstallation({ id: ++nextInstallation, account, repositories });
      await deliver('installation', installationPayload({ action: 'created', installationId: installation.id, account, repositories, appId: host.appId }));
      const setup = new URL(web.registered.manifest.setup_url ?? web.registered.manifest.url);
      setup.searchParams.set('installation_id', String(installation.id));
      setup.searchParams.set('setup_action', 'install');
      redirect(res, setup.toString());
      return true;
    }
    if (path === '/login/oauth/authorize' && method === 'GET') {
      const app = web.registered;
      const clientId = query.client_id;
      if (!app || clientId !== app.clientId) {
        html(res, 404, page('Not found', '<p>Unknown OAuth client.</p>'));
        return true;
      }
      const callback = query.redirect_uri ?? app.manifest.callback_urls?.[0];
      if (!callback || !(app.manifest.callback_urls ?? []).includes(callback)) {
        html(res, 400, page('Redirect mismatch', '<p>The redirect_uri is not a callback URL of this App.</p>'));
        return true;
      }
      const code = randomBytes(20).toString('hex');
      oauthCodes.set(code, { user: web.webUser, clientId, expiresAt: host.now() + 600_000 });
      const back = new URL(callback);
      back.searchParams.set('code', code);
      if (query.state !== undefined) back.searchParams.set('state', query.state);
      html(res, 200, page('Authorize', `<h1>Authorize ${escape(app.name)}</h1><p>Signed in as ${escape(web.webUser)}</p><a id="authorize" href="${escape(back.toString())}">Authorize ${escape(app.name)}</a>`));
      return true;
    }
    if (path === '/login/oauth/access_token' && method === 'POST') {
      const body = raw.trim().startsWith('{') ? JSON.parse(raw) : form();
      const pending = oauthCodes.get(body.code);
      oauthCodes.delete(body.code);
      const app = web.registered;
      if (!app || body.client_id !== app.clientId || body.client_secret !== app.clientSecret) {
        json(res, 200, { error: 'incorrect_client_credentials' });
        return true;
      }
      if (!pending || pending.expiresAt <= host.now() || pending.clientId !== body.client_id) {
        json(res, 200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
        return true;
      }
      const token = `ghu_${randomBytes(18).toString('base64url')}`;
      web.userTokens.set(token, pending.user);
      json(res, 200, { access_token: token, token_type: 'bearer', scope: '' });
      return true;
    }
    const userToken = /^(?:token|bearer)\s+(ghu_\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const user = userToken ? web.userTokens.get(userToken) : undefined;
    if (path === '/user' && method === 'GET' && userToken) {
      if (!user) json(res, 401, { message: 'Bad credentials' });
      else json(res, 200, { login: user, id: 1, type: 'User' });
      return true;
    }
    const userRepos = /^\/user\/installations\/(\d+)\/repositories$/.exec(path);
    if (userRepos && method === 'GET' && userToken) {
      if (!user) {
        json(res, 401, { message: 'Bad credentials' });
        return true;
      }
      const installation = host.installations.get(Number(userRepos[1]));
      if (!installation) {
        json(res, 404, { message: 'Not Found' });
        return true;
      }
      // GitHub lists the repositories of the installation the person can see, with their access.
      const visible = installation.repositories
        .map((repo) => ({ repo, permission: host.permissionOf(repo, user) }))
        .filter((r) => r.permission !== 'none');
      json(res, 200, {
        total_count: visible.length,
        repositories: visible.map(({ repo, permission }) => ({
          id: host.repositoryId(repo),
          full_name: repo,
          permissions: { admin: permission === 'admin', push: permission === 'admin' || permission === 'write', pull: true },
        })),
      });
      return true;
    }
    return false;
  }

  return { web, handle };
}
