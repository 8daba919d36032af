/**
 * The set-up page (`/setup`), served by `slipway serve` while it has no App credentials. In order:
 *  1. `GET /setup?token=…`: the one-time link printed at start-up. The token is spent on first
 *     use and swapped for a session cookie (http-only, SameSite=Lax, path /setup); a wrong or
 *     spent token is refused, and so is `/setup` without the cookie.
 *  2. `POST /setup/manifest`: name, public URL, personal account or organization, and optionally
 *     a GitHub Enterprise Server URL (a CSRF token from the session is required). Answers a page
 *     whose form posts the App manifest to that GitHub's new-App page with a `state` bound to this
 *     session (and to that server).
 *  3. `GET /setup/callback?code&state`: GitHub's redirect. The state must be this session's and
 *     unused; the code is exchanged (`POST /app-manifests/{code}/conversions`, on the API of the
 *     server the state was given for: `<server>/api/v3` for Enterprise Server), the credentials
 *     (with that server's web and API addresses) are written to the data folder (0600), the service switches to running mode, and the person
 *     is sent on to install the App.
 * Unlike Probot's set-up route (probot/create-probot-app#213), nothing works without the printed
 * token, the flow is bound to one browser by `state`, and no restart is needed.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { writeAppCredentialsFile, type StoredAppCredentials } from '../settings/app-credentials-file.ts';
import type { BaseSettings } from '../settings/settings.ts';
import { githubWebUrl } from '../settings/settings.ts';
import { page, type Markup } from '../http/pages/layout.ts';
import { appManifest, appPermissions, appEvents } from './app-manifest.ts';
import { convertManifestCode } from './convert-manifest-code.ts';
import { enterpriseServer, type GitHubServer } from './enterprise-server.ts';
import { SetupError } from './setup-error.ts';

export type SetupDeps = {
  settings: BaseSettings;
  /** The one-time token of the printed set-up link. */
  token: string;
  /** Called once the credentials are stored: the service goes on in running mode. */
  onConfigured: (credentials: StoredAppCredentials) => Promise<void>;
  fetch?: typeof fetch;
  log?: (message: string) => void;
};

/** Each state is bound to the GitHub server its manifest was posted to. */
type Session = { csrf: string; states: Map<string, GitHubServer> };

const cookieName = 'slipway_setup';
const digest = (text: string) => createHash('sha256').update(text).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));
const random = () => randomBytes(32).toString('base64url');
const organizationLogin = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

export function setupRoutes(deps: SetupDeps): Hono {
  const log = deps.log ?? (() => {});
  const githubUrl = deps.settings.githubUrl ?? githubWebUrl(deps.settings.githubApiUrl);
  const configured: GitHubServer = { githubUrl, githubApiUrl: deps.settings.githubApiUrl };
  const sessions = new Map<string, Session>();
  let tokenSpent = false;
  let finishing = false;
  const app = new Hono();

  const sessionOf = (c: Context): Session | undefined => {
    const id = getCookie(c, cookieName);
    return id ? sessions.get(id) : undefined;
  };
  const refuse = (c: Context, error: SetupError) => c.html(errorPage(error.message), error.status);

  app.get('/', (c) => {
    const token = c.req.query('token');
    if (token !== undefined) {
      if (tokenSpent || !same(token, deps.token)) {
        return refuse(c, new SetupError(403, 'This set-up link is not valid: it is wrong, or it was opened already. Open the link in the browser that first opened it, or restart slipway serve for a new one.'));
      }
      tokenSpent = true;
      const id = random();
      sessions.set(id, { csrf: random(), states: new Map() });
      setCookie(c, cookieName, id, { httpOnly: true, sameSite: 'Lax', path: '/setup', secure: new URL(c.req.url).protocol === 'https:' });
      // The token leaves the address bar (and the browser history) at once.
      return c.redirect('/setup', 303);
    }
    const session = sessionOf(c);
    if (!session) return refuse(c, new SetupError(403, 'Open the one-time set-up link slipway serve printed when it started.'));
    const publicUrl = deps.settings.publicUrl ?? new URL(c.req.url).origin;
    return c.html(formPage({ csrf: session.csrf, publicUrl, githubUrl }));
  });

  app.post('/manifest', async (c) => {
    const session = sessionOf(c);
    if (!session) return refuse(c, new SetupError(403, 'Open the one-time set-up link slipway serve printed when it started.'));
    const form = await c.req.parseBody();
    const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');
    if (!same(field('csrf'), session.csrf)) return refuse(c, new SetupError(403, 'The form did not come from this set-up page (CSRF token missing or wrong). Reload the set-up page and try again.'));
    const problems: string[] = [];
    const name = field('name');
    if (name.length < 1 || name.length > 34) problems.push('App name: 1 to 34 characters (GitHub’s limit), unique on GitHub.');
    const publicUrl = field('public_url').replace(/\/+$/, '');
    if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(publicUrl)) problems.push('Public URL: an http(s) address GitHub can reach, such as https://slipway.example.com.');
    const owner = field('owner');
    const organization = field('organization');
    if (owner !== 'personal' && owner !== 'organization') problems.push('Owner: choose your personal account or an organization.');
    if (owner === 'organization' && !organizationLogin.test(organization)) problems.push('Organization: its login as in github.com/<login>, letters, digits and hyphens.');
    const enterprise = field('enterprise_url');
    const server = enterprise === '' ? configured : enterpriseServer(enterprise, deps.settings.githubApiUrl);
    if ('problem' in server) problems.push(server.problem);
    if (problems.length > 0 || 'problem' in server) {
      return c.html(formPage({ csrf: session.csrf, publicUrl: publicUrl || (deps.settings.publicUrl ?? new URL(c.req.url).origin), githubUrl, problems, name, owner, organization, enterprise }), 400);
    }
    const state = random();
    session.states.set(state, server);
    const target = owner === 'organization' ? `${server.githubUrl}/organizations/${encodeURIComponent(organization)}/settings/apps/new` : `${server.githubUrl}/settings/apps/new`;
    const manifest = appManifest({ name, publicUrl });
    // This page's form goes to that server: the set-up pages' policy names it (setup-app.ts).
    c.header('content-security-policy', setupContentSecurityPolicy(server.githubUrl));
    return c.html(manifestPage({ action: `${target}?state=${encodeURIComponent(state)}`, manifest: JSON.stringify(manifest), owner: owner === 'organization' ? organization : 'your personal account', name, publicUrl }));
  });

  app.get('/callback', async (c) => {
    const session = sessionOf(c);
    const state = c.req.query('state') ?? '';
    const code = c.req.query('code') ?? '';
    const server = session?.states.get(state);
    if (!session || !server) {
      return refuse(c, new SetupError(403, 'This answer from GitHub does not belong to a set-up started in this browser (unknown or used state). Start again from the set-up page.'));
    }
    session.states.delete(state);
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(code)) return refuse(c, new SetupError(400, 'GitHub’s redirect carries no usable code. Start again from the set-up page.'));
    if (finishing) return refuse(c, new SetupError(409, 'The App is set up already, or being set up from another tab.'));
    finishing = true;
    try {
      const credentials = await convertManifestCode({ githubApiUrl: server.githubApiUrl, githubUrl: server.githubUrl, code, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
      const file = writeAppCredentialsFile(deps.settings.dataDir, credentials);
      log(`slipway: set-up: GitHub App ${credentials.slug} (id ${credentials.appId}) registered; credentials written to ${file} (mode 0600)`);
      await deps.onConfigured(credentials);
      return c.redirect(`${server.githubUrl}/apps/${encodeURIComponent(credentials.slug)}/installations/new`, 303);
    } catch (error) {
      finishing = false;
      if (error instanceof SetupError) return refuse(c, error);
      throw error;
    }
  });
  return app;
}

/** The set-up pages carry no script; their forms post to Slipway and to `githubUrl` only. */
export function setupContentSecurityPolicy(githubUrl: string): string {
  return `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${new URL(githubUrl).origin}; frame-ancestors 'none'; base-uri 'none'`;
}

function errorPage(message: string): Markup {
  return page({ title: 'Set-up', body: html`<h1>Set up Slipway</h1><p class="error" role="alert">${message}</p>` });
}

function formPage(input: { csrf: string; publicUrl: string; githubUrl: string; problems?: string[]; name?: string; owner?: string; organization?: string; enterprise?: string }): Markup {
  const owner = input.owner ?? 'personal';
  const body = html`<h1>Set up Slipway</h1>
<p>Slipway registers itself as a GitHub App on ${input.githubUrl}: you confirm on GitHub, it stores the App’s key and secrets in its data folder, and you install the App on your repositories. No restart.</p>
${input.problems?.length ? html`<div class="error" role="alert"><p>Please correct:</p><ul>${input.problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : ''}
<form method="post" action="/setup/manifest">
<input type="hidden" name="csrf" value="${input.csrf}">
<label for="name">App name</label>
<input type="text" id="name" name="name" required maxlength="34" value="${input.name ?? `slipway-${randomBytes(3).toString('hex')}`}" aria-describedby="name-help">
<p id="name-help" class="muted">Unique on GitHub; 34 characters at most.</p>
<label for="public_url">Slipway’s public URL</label>
<input type="url" id="public_url" name="public_url" required value="${input.publicUrl}" aria-describedby="url-help">
<p id="url-help" class="muted">GitHub sends webhooks to this address + /webhooks/github.</p>
<fieldset><legend>Owner of the App</legend>
<input type="radio" id="owner-personal" name="owner" value="personal" ${owner === 'personal' ? 'checked' : ''}> <label for="owner-personal">My personal account</label><br>
<input type="radio" id="owner-organization" name="owner" value="organization" ${owner === 'organization' ? 'checked' : ''}> <label for="owner-organization">An organization</label>
<label for="organization">Organization login (when an organization owns it)</label>
<input type="text" id="organization" name="organization" value="${input.organization ?? ''}" autocomplete="off">
</fieldset>
<label for="enterprise_url">GitHub Enterprise Server URL (optional)</label>
<input type="url" id="enterprise_url" name="enterprise_url" value="${input.enterprise ?? ''}" placeholder="https://github.example.com" aria-describedby="enterprise-help">
<p id="enterprise-help" class="muted">Leave empty for ${input.githubUrl}. For GitHub Enterprise Server: its address (https); the App is registered there and Slipway uses its API at /api/v3.</p>
<button type="submit">Continue</button>
</form>
<h2>What the App may do</h2>
<table><caption>Permissions Slipway asks for</caption><thead><tr><th scope="col">Permission</th><th scope="col">Access</th><th scope="col">Why</th></tr></thead>
<tbody>${Object.entries(appPermissions).map(([name, p]) => html`<tr><td>${name}</td><td>${p.access}</td><td>${p.why}</td></tr>`)}</tbody></table>
<p>Events: ${appEvents.join(', ')} (and installation events, which every App receives).</p>`;
  return page({ title: 'Set-up', body });
}

function manifestPage(input: { action: string; manifest: string; owner: string; name: string; publicUrl: string }): Markup {
  const body = html`<h1>Create the App on GitHub</h1>
<p>GitHub will show the App <strong>${input.name}</strong> for ${input.owner}, with webhooks to <code>${input.publicUrl}/webhooks/github</code>. Confirm there; GitHub then sends you back here.</p>
<form method="post" action="${input.action}">
<input type="hidden" name="manifest" value="${input.manifest}">
<button type="submit">Create the App on GitHub</button>
</form>`;
  return page({ title: 'Create the App', body });
}
