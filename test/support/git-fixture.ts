import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Real git repositories for tests: a bare `origin` with one commit on `main`, a clone of it as
 * the workspace, and more clones on demand (to push from "elsewhere"). Every git command here
 * and in the code under test (given `fixture.env`) ignores the machine's global and system git
 * config, so results do not depend on the host.
 */
export interface GitFixture {
  root: string;
  /** Path of the bare repository. */
  origin: string;
  originUrl: string;
  /** A clone of origin with `main` checked out. */
  workspace: string;
  /** The commit on origin's main when the fixture was made. */
  initialSha: string;
  /** The environment for git: isolated config, fixed identity for the fixture's own commits. */
  env: Record<string, string>;
  /** Runs git in `cwd`, resolving with trimmed stdout; rejects on a non-zero exit. */
  git(cwd: string, ...args: string[]): Promise<string>;
  /** Clones origin into `<root>/<name>`. */
  clone(name: string): Promise<string>;
  /** Commits a file change in `cwd` and returns the new sha. */
  commitFile(cwd: string, file: string, content: string, message?: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createGitFixture(): Promise<GitFixture> {
  const root = await mkdtemp(path.join(tmpdir(), 'taskpilot-git-'));
  const globalConfig = path.join(root, 'gitconfig');
  await writeFile(globalConfig, '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n');
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('GIT_')) env[name] = value;
  }
  Object.assign(env, {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: globalConfig,
    GIT_TERMINAL_PROMPT: '0',
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  });
  const identity = {
    GIT_AUTHOR_NAME: 'Fixture',
    GIT_AUTHOR_EMAIL: 'fixture@example.com',
    GIT_COMMITTER_NAME: 'Fixture',
    GIT_COMMITTER_EMAIL: 'fixture@example.com',
  };
  const git = (cwd: string, ...args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile('git', args, { cwd, env: { ...env, ...identity } }, (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args.join(' ')}: ${stderr || error.message}`));
        else resolve(stdout.trim());
      });
    });

  const origin = path.join(root, 'origin.git');
  const originUrl = pathToFileURL(origin).href;
  await git(root, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
  const seed = path.join(root, 'seed');
  await git(root, 'clone', '--quiet', originUrl, seed);
  await writeFile(path.join(seed, 'README.md'), '# fixture\n');
  await git(seed, 'add', 'README.md');
  await git(seed, 'commit', '--quiet', '-m', 'Initial commit');
  await git(seed, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
  const initialSha = await git(seed, 'rev-parse', 'HEAD');
  await rm(seed, { recursive: true, force: true });

  const clone = async (name: string): Promise<string> => {
    const dir = path.join(root, name);
    await git(root, 'clone', '--quiet', originUrl, dir);
    return dir;
  };
  const commitFile = async (cwd: string, file: string, content: string, message = `Change ${file}`) => {
    await writeFile(path.join(cwd, file), content);
    await git(cwd, 'add', '--', file);
    await git(cwd, 'commit', '--quiet', '-m', message);
    return git(cwd, 'rev-parse', 'HEAD');
  };
  const workspace = await clone('workspace');
  return {
    root,
    origin,
    originUrl,
    workspace,
    initialSha,
    env,
    git,
    clone,
    commitFile,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export interface GitHttpRequest {
  method: string;
  path: string;
  /** Every Authorization header value the request carried, in order (duplicates kept). */
  authorization: string[];
}

export interface GitHttpServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  requests: GitHttpRequest[];
  close(): Promise<void>;
}

/**
 * Serves the bare repositories under `projectRoot` over smart HTTP (git http-backend as CGI) on
 * a loopback port. A request is served only when it carries exactly one Authorization header
 * equal to `basic base64("x-access-token:<token>")` for one of `tokens`; otherwise 401.
 */
export async function startGitHttpServer(
  projectRoot: string,
  tokens: readonly string[],
  env: Record<string, string>,
): Promise<GitHttpServer> {
  const accepted = new Set(
    tokens.map((token) => `basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`),
  );
  const requests: GitHttpRequest[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorization: string[] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]?.toLowerCase() === 'authorization')
        authorization.push(req.rawHeaders[i + 1] ?? '');
    }
    requests.push({ method: req.method ?? 'GET', path: url.pathname, authorization });
    const [only] = authorization;
    if (authorization.length !== 1 || only === undefined || !accepted.has(only)) {
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fixture"' }).end();
      return;
    }
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...env,
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_USER: 'x-access-token',
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    req.pipe(cgi.stdin);
    const out: Buffer[] = [];
    cgi.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    cgi.on('close', () => {
      const raw = Buffer.concat(out);
      const split = raw.indexOf('\r\n\r\n');
      const head = raw.subarray(0, Math.max(split, 0)).toString('latin1');
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head.split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      res.writeHead(status, headers).end(split < 0 ? raw : raw.subarray(split + 4));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
