// A loopback git smart-HTTP server: the real `git http-backend` run as CGI over bare repositories in
// a temp folder, so the code under test speaks to the same protocol implementation GitHub's clients
// do. Repositories are filled by TestRepo.commit, which uses the real git CLI.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile, unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const GIT_HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface TestRepo {
  fullName: string;
  /** `http://127.0.0.1:<port>/<owner>/<name>.git`, like GitHub's clone_url. */
  cloneUrl: string;
  /** Path of the bare repository on disk. */
  bareDir: string;
  /** The branch the bare repository's HEAD names (`main` unless created otherwise). */
  defaultBranch: string;
  /**
   * Commits the given changes (null deletes the file) on `branch` (default: the default branch) with
   * the real git CLI and pushes to the bare repository. A new branch starts from `parent`, else from
   * the default branch's head,
   * else as an orphan. With `parent` on an existing branch, the push rewrites history (force-push).
   */
  commit(
    files: Record<string, string | Buffer | null>,
    opts?: { branch?: string; message?: string; parent?: string },
  ): Promise<string>;
  /** Points `branch` at an existing commit, whatever its history (a force-push). */
  forcePush(branch: string, sha: string): Promise<void>;
  deleteBranch(branch: string): Promise<void>;
  /** Points any ref at a commit, e.g. `refs/pull/7/head` as GitHub keeps for pull requests (forks included). */
  setRef(ref: string, sha: string): Promise<void>;
  /** The branch's head sha, or null when the branch does not exist. */
  headOf(branch: string): Promise<string | null>;
}

export interface GitRequestRecord {
  method: string;
  path: string;
  query: string;
  status: number;
  /** Bytes of the response body: how much was fetched. */
  bytesOut: number;
  /** Password of the basic credentials, when given. */
  token?: string;
}

export interface GitServerOptions {
  /** When set, every request needs basic auth `x-access-token:<token>` (401 otherwise). */
  token?: string;
  /** When set, decides per request (e.g. installation tokens from the GitHub double). */
  authorize?: (token: string, repoFullName: string) => boolean;
  /**
   * What answers requests that are not git's (github.com serves its pages and git on one host:
   * the e2e harness hands them to the GitHub double's web pages).
   */
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

export interface GitServer {
  url: string;
  root: string;
  createRepo(fullName: string, options?: { defaultBranch?: string }): Promise<TestRepo>;
  /** Every HTTP request answered, oldest first. */
  requests: GitRequestRecord[];
  /** Replace the auth rules while running. */
  setAuth(options: GitServerOptions): void;
  close(): Promise<void>;
}

const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.test',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.test',
  GIT_TERMINAL_PROMPT: '0',
};

export function runGit(args: string[], cwd: string, input?: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: { ...process.env, ...GIT_ENV } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8').trim());
      else reject(new Error(`git ${args.join(' ')} failed (${code}): ${Buffer.concat(err).toString('utf8').trim()}`));
    });
    child.stdin.end(input);
  });
}

export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const root = await mkdtemp(join(tmpdir(), 'slipway-git-server-'));
  const reposRoot = join(root, 'repos');
  const workRoot = join(root, 'work');
  await mkdir(reposRoot, { recursive: true });
  await mkdir(workRoot, { recursive: true });
  let auth: GitServerOptions = options;
  const requests: GitRequestRecord[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const pathInfo = decodeURIComponent(url.pathname);
    if (options.fallback && !/\/(info\/refs|git-upload-pack|git-receive-pack)$/.test(pathInfo)) return options.fallback(req, res);
    const record: GitRequestRecord = { method: req.method ?? 'GET', path: pathInfo, query: url.search.slice(1), status: 0, bytesOut: 0 };
    requests.push(record);
    const match = /^\/([^/]+)\/([^/]+?)(?:\.git)?\//.exec(pathInfo);
    const repoFullName = match ? `${match[1]}/${match[2]}` : '';
    const credentials = parseBasic(req.headers.authorization);
    if (credentials) record.token = credentials.password;
    if (auth.token !== undefined || auth.authorize) {
      const ok =
        credentials !== undefined &&
        credentials.username === 'x-access-token' &&
        (auth.authorize ? auth.authorize(credentials.password, repoFullName) : credentials.password === auth.token);
      if (!ok) {
        record.status = 401;
        // GitHub answers 401 with a Basic challenge; clients then ask for credentials.
        res.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"', 'content-type': 'text/plain' });
        res.end('Invalid username or token.\n');
        return;
      }
    }
    // The path must name a repository below the root (no `..` escapes).
    if (!match || pathInfo.includes('..')) {
      record.status = 404;
      res.writeHead(404).end('Not found\n');
      return;
    }
    const cgiPath = pathInfo.replace(/^\/([^/]+)\/([^/]+?)(?:\.git)?\//, `/$1/$2.git/`);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ...GIT_ENV,
      GIT_PROJECT_ROOT: reposRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: cgiPath,
      REQUEST_METHOD: req.method ?? 'GET',
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: credentials?.username ?? '',
      REMOTE_ADDR: '127.0.0.1',
      SERVER_PROTOCOL: 'HTTP/1.1',
      GATEWAY_INTERFACE: 'CGI/1.1',
    };
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
    if (req.headers['git-protocol']) env.HTTP_GIT_PROTOCOL = String(req.headers['git-protocol']);
    await runCgi(env, req, res, record);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function createRepo(fullName: string, repoOptions: { defaultBranch?: string } = {}): Promise<TestRepo> {
    const defaultBranch = repoOptions.defaultBranch ?? 'main';
    if (!/^[\w.-]+\/[\w.-]+$/.test(fullName)) throw new Error(`bad repository name: ${fullName}`);
    const bareDir = join(reposRoot, `${fullName}.git`);
    const workDir = join(workRoot, fullName);
    await mkdir(dirname(bareDir), { recursive: true });
    await mkdir(workDir, { recursive: true });
    await runGit(['init', '--bare', '--quiet', `--initial-branch=${defaultBranch}`, bareDir], root);
    await runGit(['init', '--quiet', '--initial-branch=main', workDir], root);
    await runGit(['remote', 'add', 'origin', bareDir], workDir);

    const headOf = async (branch: string): Promise<string | null> => {
      // Loose ref files first (what pushes and update-ref write here): one git process less per call.
      const loose = await readFile(join(bareDir, 'refs', 'heads', ...branch.split('/')), 'utf8').catch(() => undefined);
      if (loose && /^[0-9a-f]{40}\n?$/.test(loose)) return loose.trim();
      try {
        return await runGit(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], bareDir);
      } catch {
        return null;
      }
    };

    // One commit at a time per repository: the work dir is shared state.
    let queue: Promise<unknown> = Promise.resolve();
    const serial = <T>(fn: () => Promise<T>): Promise<T> => {
      const next = queue.then(fn, fn);
      queue = next.catch(() => undefined);
      return next;
    };

    const commit: TestRepo['commit'] = (files, opts = {}) =>
      serial(async () => {
        const branch = opts.branch ?? defaultBranch;
        const current = await headOf(branch);
        const base = opts.parent ?? current ?? (await headOf(defaultBranch));
        if (base) {
          // Every commit is made here, so the base is normally present; fetch only when it is not.
          await runGit(['checkout', '--quiet', '--force', '-B', 'work', base], workDir).catch(async () => {
            await runGit(['fetch', '--quiet', 'origin', '+refs/*:refs/remotes/origin/*'], workDir);
            await runGit(['checkout', '--quiet', '--force', '-B', 'work', base], workDir);
          });
        } else {
          // An unborn `work` branch: the next commit is a root commit.
          await runGit(['symbolic-ref', 'HEAD', 'refs/heads/work'], workDir);
          await runGit(['update-ref', '-d', 'refs/heads/work'], workDir);
          await runGit(['rm', '-rfq', '--cached', '--ignore-unmatch', '.'], workDir);
          await runGit(['clean', '-fdxq'], workDir);
        }
        for (const [path, content] of Object.entries(files)) {
          const target = join(workDir, path);
          if (content === null) await unlink(target).catch(() => undefined);
          else {
            await mkdir(dirname(target), { recursive: true });
            await writeFile(target, content);
          }
        }
        await runGit(['add', '-A', '.'], workDir);
        await runGit(['commit', '--quiet', '--allow-empty', '-m', opts.message ?? `Update ${Object.keys(files).join(', ')}`], workDir);
        const sha = (await readFile(join(workDir, '.git', 'refs', 'heads', 'work'), 'utf8').catch(() => runGit(['rev-parse', 'HEAD'], workDir))).trim();
        await runGit(['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`], workDir);
        return sha;
      });

    return {
      fullName,
      cloneUrl: `${url}/${fullName}.git`,
      bareDir,
      defaultBranch,
      commit,
      headOf,
      forcePush: (branch, sha) => serial(async () => void (await runGit(['update-ref', `refs/heads/${branch}`, sha], bareDir))),
      setRef: (ref, sha) => serial(async () => void (await runGit(['update-ref', ref, sha], bareDir))),
      deleteBranch: (branch) => serial(async () => void (await runGit(['update-ref', '-d', `refs/heads/${branch}`], bareDir))),
    };
  }

  return {
    url,
    root,
    requests,
    createRepo,
    setAuth(next) {
      auth = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Runs git http-backend as CGI: request body to stdin, CGI headers (with Status) then body back. */
function runCgi(env: NodeJS.ProcessEnv, req: IncomingMessage, res: ServerResponse, record: GitRequestRecord): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(GIT_HTTP_BACKEND, [], { env });
    let headerBuffer: Buffer | null = Buffer.alloc(0);
    const stderr: Buffer[] = [];
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    child.on('error', reject);
    req.pipe(child.stdin);
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (chunk: Buffer) => {
      if (headerBuffer === null) {
        record.bytesOut += chunk.length;
        res.write(chunk);
        return;
      }
      headerBuffer = Buffer.concat([headerBuffer, chunk]);
      let end = headerBuffer.indexOf('\r\n\r\n');
      let sepLength = 4;
      if (end < 0) {
        end = headerBuffer.indexOf('\n\n');
        sepLength = 2;
      }
      if (end < 0) return;
      const head = headerBuffer.subarray(0, end).toString('latin1');
      const rest = headerBuffer.subarray(end + sepLength);
      headerBuffer = null;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'status') status = Number.parseInt(value, 10) || 200;
        else headers[name] = value;
      }
      record.status = status;
      res.writeHead(status, headers);
      record.bytesOut += rest.length;
      res.write(rest);
    });
    child.on('close', (code) => {
      if (headerBuffer !== null) {
        record.status = 500;
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`git http-backend exited ${code}: ${Buffer.concat(stderr).toString('utf8')}`);
      } else res.end();
      resolve();
    });
  });
}
