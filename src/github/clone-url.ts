/**
 * Where Slipway clones from: the configured GitHub host and the repository's full name, never a URL
 * a delivery carries (a signed payload could name any host, and the installation token goes to
 * whatever URL is fetched). GitHub's web host serves git over smart HTTP at `<host>/<owner>/<repo>.git`:
 * `https://github.com` for `https://api.github.com`, `https://<host>` for GitHub Enterprise Server's
 * `https://<host>/api/v3`. Plain http only when the API itself is configured as http (the loopback
 * doubles in tests).
 */

/**
 * GitHub's web (and git) address for an API URL: github.com for api.github.com, the host for
 * GitHub Enterprise Server's `/api/v3`, `<sub>.ghe.com` for `api.<sub>.ghe.com`, otherwise the API
 * URL's own origin (set `GITHUB_URL` when git is served elsewhere).
 */
export function githubWebUrl(apiUrl: string): string {
  const api = new URL(apiUrl);
  if (api.host === 'api.github.com') return `${api.protocol}//github.com`;
  const path = api.pathname.replace(/\/+$/, '');
  if (path.endsWith('/api/v3')) return `${api.origin}${path.slice(0, -'/api/v3'.length)}`;
  // GitHub Enterprise Cloud with data residency: api.<subdomain>.ghe.com serves <subdomain>.ghe.com.
  if (api.host.startsWith('api.') && api.host.endsWith('.ghe.com')) return `${api.protocol}//${api.host.slice(4)}`;
  return api.origin;
}

/**
 * The web URL to clone from: `configured` (`GITHUB_URL`) or the one derived from the API URL.
 * Throws when it could carry a token in clear text (checked at start-up by loadSettings already).
 */
export function resolveGithubWebUrl(apiUrl: string, configured?: string): string {
  const web = (configured ?? githubWebUrl(apiUrl)).replace(/\/+$/, '');
  const problem = webUrlProblem(web, apiUrl);
  if (problem) throw new Error(`GITHUB_URL ${problem}`);
  return web;
}

/** Why `webUrl` cannot be where installation tokens are sent, or undefined when it can. */
export function webUrlProblem(webUrl: string, apiUrl: string): string | undefined {
  let web: URL;
  try {
    web = new URL(webUrl);
  } catch {
    return `must be an http(s) URL, got "${webUrl}"`;
  }
  if (web.protocol === 'https:') return undefined;
  if (web.protocol === 'http:' && new URL(apiUrl).protocol === 'http:') return undefined;
  return `must be an https URL (installation tokens are sent to it; http only when GITHUB_API_URL is http too), got "${webUrl}"`;
}

/** GitHub's own rules for owner and repository names (letters, digits, `-`, `_`, `.`; not `.` or `..`). */
const owner = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,99})$/;
const name = /^[A-Za-z0-9_.-]{1,100}$/;

export function isRepositoryFullName(fullName: string): boolean {
  const parts = fullName.split('/');
  return parts.length === 2 && owner.test(parts[0]!) && name.test(parts[1]!) && parts[1] !== '.' && parts[1] !== '..';
}

/** `<web url>/<owner>/<repo>.git`; throws on a name GitHub could not have (checked at parse time already). */
export function repositoryCloneUrl(webUrl: string, fullName: string): string {
  if (!isRepositoryFullName(fullName)) throw new Error(`"${fullName}" is not a repository name GitHub gives`);
  return `${webUrl.replace(/\/+$/, '')}/${fullName}.git`;
}
