/**
 * The GitHub App manifest the set-up page posts to GitHub: the permissions and events Slipway
 * needs (the same list as docs/github-app.md, section 1) and its URLs, all under Slipway's public
 * URL. GitHub documents the fields at
 * https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest
 */
export type AppManifest = {
  name: string;
  url: string;
  hook_attributes: { url: string; active: boolean };
  redirect_url: string;
  callback_urls: string[];
  setup_url: string;
  description: string;
  public: boolean;
  default_permissions: Record<string, 'read' | 'write'>;
  default_events: string[];
  request_oauth_on_install: boolean;
  setup_on_update: boolean;
};

/** Repository and organization permissions, each with why (docs/github-app.md shows the same table). */
export const appPermissions: Record<string, { access: 'read' | 'write'; why: string }> = {
  checks: { access: 'write', why: 'the slipway check run, with annotations on paas.yaml lines' },
  contents: { access: 'read', why: 'fetch the pushed commit (paas.yaml, policy files)' },
  deployments: { access: 'write', why: 'a GitHub Deployment and its statuses per deployment' },
  issues: { access: 'write', why: 'the pull-request comment (PR comments are issue comments)' },
  pull_requests: { access: 'write', why: 'review comments with one-click suggestions' },
  metadata: { access: 'read', why: 'mandatory for every App' },
  members: { access: 'read', why: 'who may approve: a commenter’s permission on the repository' },
};

/** `installation` and `installation_repositories` are sent to every App without asking. */
export const appEvents = ['push', 'pull_request', 'issue_comment'] as const;

export function appManifest(input: { name: string; publicUrl: string }): AppManifest {
  const base = input.publicUrl.replace(/\/+$/, '');
  return {
    name: input.name,
    url: base,
    hook_attributes: { url: `${base}/webhooks/github`, active: true },
    redirect_url: `${base}/setup/callback`,
    callback_urls: [`${base}/dashboard/auth/callback`],
    setup_url: `${base}/dashboard`,
    description: 'Slipway: git push to AWS, with plans, cost and policies on every pull request.',
    public: false,
    default_permissions: Object.fromEntries(Object.entries(appPermissions).map(([name, p]) => [name, p.access])),
    default_events: [...appEvents],
    request_oauth_on_install: false,
    setup_on_update: false,
  };
}
