/** Sign-in: with GitHub (the App's OAuth client) or with the API token, whichever is configured. */
import { html } from 'hono/html';
import { dashboardPage } from './frame.ts';

export function signInPage(input: { github: boolean; token: boolean; problem?: string }) {
  const body = html`<h1>Sign in to Slipway</h1>
${input.problem ? html`<p class="error" role="alert">${input.problem}</p>` : ''}
${input.github ? html`<p><a href="/dashboard/auth/github">Sign in with GitHub</a>: you see the repositories you can see on GitHub.</p>` : ''}
${
  input.token
    ? html`<form method="post" action="/dashboard/sign-in"><label for="token">API token (SLIPWAY_API_TOKEN)</label><input type="password" id="token" name="token" required autocomplete="current-password"><br><button type="submit">Sign in with the token</button></form>`
    : ''
}
${!input.github && !input.token ? html`<p>No way to sign in is configured: register the App through the set-up page (it gives Slipway an OAuth client), or set <code>GITHUB_CLIENT_ID</code> and <code>GITHUB_CLIENT_SECRET</code>, or <code>SLIPWAY_API_TOKEN</code>.</p>` : ''}`;
  return dashboardPage({ title: 'Sign in', body });
}
