/** The dashboard's page frame: the shared layout with who is signed in and a sign-out button. */
import { html } from 'hono/html';
import { page, type Markup } from '../../http/pages/layout.ts';
import type { Session } from '../session.ts';

export function dashboardPage(input: { title: string; session?: Session; body: Markup; head?: Markup }): Markup {
  const nav = input.session
    ? html`<nav aria-label="Account"><span>Signed in as <strong>${input.session.login}</strong></span><form method="post" action="/dashboard/sign-out"><input type="hidden" name="csrf" value="${input.session.csrf}"><button type="submit" class="secondary" style="margin-top:0">Sign out</button></form></nav>`
    : undefined;
  return page({ title: input.title, body: input.body, ...(nav ? { nav } : {}), ...(input.head ? { head: input.head } : {}) });
}
