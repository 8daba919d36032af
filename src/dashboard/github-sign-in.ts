/**
 * Signing in with GitHub, through the App's OAuth client (GitHub's web application flow): the code
 * GitHub sends back is exchanged for a user-to-server token, which names the person (`GET /user`)
 * and lists, per installation of the App, the repositories they can see with their permission on
 * each (`GET /user/installations/{id}/repositories`). The token is used for that and dropped.
 * https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
 */
import { permissionFrom, type RepositoryPermission } from './access.ts';

export class SignInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInError';
  }
}

export type GitHubSignInInput = {
  githubUrl: string;
  githubApiUrl: string;
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
  installationIds: readonly number[];
  fetch?: typeof fetch;
};

export async function signInWithGitHub(input: GitHubSignInInput): Promise<{ login: string; repositories: Map<string, RepositoryPermission> }> {
  const request = input.fetch ?? fetch;
  const call = async (url: string, init: RequestInit = {}) => {
    try {
      return await request(url, { ...init, headers: { accept: 'application/json', 'user-agent': 'slipway-dashboard', ...(init.headers as Record<string, string>) }, signal: AbortSignal.timeout(15_000) });
    } catch (error) {
      throw new SignInError(`GitHub (${new URL(url).origin}) did not answer: ${(error as Error).message}`);
    }
  };
  const exchange = await call(`${input.githubUrl}/login/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: input.clientId, client_secret: input.clientSecret, code: input.code, redirect_uri: input.redirectUri }),
  });
  const grant = (await exchange.json().catch(() => ({}))) as { access_token?: string; error?: string };
  if (!exchange.ok || !grant.access_token) throw new SignInError(`GitHub refused the sign-in (${grant.error ?? exchange.status}). Try again.`);
  const auth = { authorization: `Bearer ${grant.access_token}` };
  const userResponse = await call(`${input.githubApiUrl}/user`, { headers: auth });
  const user = (await userResponse.json().catch(() => ({}))) as { login?: string };
  if (!userResponse.ok || !user.login) throw new SignInError(`GitHub did not say who signed in (${userResponse.status}).`);
  const repositories = new Map<string, RepositoryPermission>();
  for (const id of input.installationIds) {
    for (let page = 1; page <= 50; page++) {
      const response = await call(`${input.githubApiUrl}/user/installations/${id}/repositories?per_page=100&page=${page}`, { headers: auth });
      // 403/404: this person has no access to that installation.
      if (response.status === 403 || response.status === 404) break;
      if (!response.ok) throw new SignInError(`GitHub answered ${response.status} listing your repositories. Try again.`);
      const body = (await response.json()) as { repositories?: Array<{ full_name: string; permissions?: { admin?: boolean; maintain?: boolean; push?: boolean } }> };
      const list = body.repositories ?? [];
      for (const repo of list) repositories.set(repo.full_name.toLowerCase(), permissionFrom(repo.permissions));
      if (list.length < 100) break;
    }
  }
  return { login: user.login, repositories };
}
