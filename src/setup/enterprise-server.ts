/**
 * The set-up form's optional GitHub Enterprise Server URL: the server's web address (where the
 * new-App form is, and where people are sent to install the App) and its REST API, which GitHub
 * Enterprise Server serves at `<web>/api/v3`. https only: the code exchange answers with the App's
 * private key and secrets. Plain http only when the configured GITHUB_API_URL is http itself (the
 * loopback doubles in tests), as for GITHUB_URL (src/github/clone-url.ts).
 */
import { webUrlProblem } from '../github/clone-url.ts';

export type GitHubServer = { githubUrl: string; githubApiUrl: string };

/** The server `input` names, or what is wrong with it (a sentence for the form). */
export function enterpriseServer(input: string, configuredApiUrl: string): GitHubServer | { problem: string } {
  const fix = 'its address as in your browser, such as https://github.example.com (leave it empty for github.com).';
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { problem: `GitHub Enterprise Server URL: "${input}" is not a URL; enter ${fix}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: `GitHub Enterprise Server URL: must start with https://; enter ${fix}` };
  if (webUrlProblem(url.href, configuredApiUrl)) return { problem: `GitHub Enterprise Server URL: must be https (the App’s private key comes back from it); enter ${fix}` };
  if (url.username || url.password || url.search || url.hash) return { problem: `GitHub Enterprise Server URL: no user name, password, query or fragment; enter ${fix}` };
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v3$/, '');
  if (path !== '') return { problem: `GitHub Enterprise Server URL: the server’s address without a path; enter ${fix}` };
  if (url.hostname === 'github.com' || url.hostname === 'api.github.com') return { problem: 'GitHub Enterprise Server URL: leave it empty for github.com.' };
  return { githubUrl: url.origin, githubApiUrl: `${url.origin}/api/v3` };
}
