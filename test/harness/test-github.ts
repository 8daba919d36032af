// The two doubles wired together as GitHub is: installation tokens from the REST double open the
// git server's repositories of their installation, repository metadata carries the git server's
// clone URL, branch/commit lookups answer from the real bare repositories, and review comments are
// checked against their real diffs.
import { startGitHubDouble, type GitHubDouble, type GitHubDoubleOptions } from './github-double.ts';
import { startGitServer, type GitServer, type TestRepo } from './git-server.ts';

export interface TestGitHub {
  gh: GitHubDouble;
  git: GitServer;
  /** A repository on the git server, registered with the REST double (and in the installation when given). */
  createRepo(fullName: string, options?: { installationId?: number; defaultBranch?: string; private?: boolean }): Promise<TestRepo>;
  repos: Map<string, TestRepo>;
  close(): Promise<void>;
}

export async function startTestGitHub(options: Omit<GitHubDoubleOptions, 'resolveRef' | 'gitDirOf'> = {}): Promise<TestGitHub> {
  const repos = new Map<string, TestRepo>();
  const gh = await startGitHubDouble({
    ...options,
    resolveRef: async (repo, ref) => {
      const testRepo = repos.get(repo);
      if (!testRepo) return null;
      if (/^[0-9a-f]{40}$/.test(ref)) return ref;
      return testRepo.headOf(ref);
    },
    gitDirOf: (repo) => repos.get(repo)?.bareDir,
  });
  const git = await startGitServer({ authorize: (token, repo) => gh.tokenCanRead(token, repo) });
  return {
    gh,
    git,
    repos,
    async createRepo(fullName, repoOptions = {}) {
      const repo = await git.createRepo(fullName, repoOptions.defaultBranch ? { defaultBranch: repoOptions.defaultBranch } : {});
      repos.set(fullName, repo);
      gh.addRepository(fullName, { cloneUrl: repo.cloneUrl, ...(repoOptions.defaultBranch ? { defaultBranch: repoOptions.defaultBranch } : {}), ...(repoOptions.private !== undefined ? { private: repoOptions.private } : {}) });
      if (repoOptions.installationId !== undefined) {
        const installation = gh.installations.get(repoOptions.installationId);
        if (!installation) throw new Error(`no installation ${repoOptions.installationId} in the GitHub double: addInstallation first`);
        if (!installation.repositories.includes(fullName)) installation.repositories.push(fullName);
      }
      return repo;
    },
    async close() {
      await Promise.all([gh.close(), git.close()]);
    },
  };
}
