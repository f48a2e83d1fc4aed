import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BranchNameError,
  commitAll,
  commitsSince,
  currentSha,
  defaultBranchFromOrigin,
  GitError,
  gitEnv,
  hasUncommittedChanges,
  isValidBranchName,
  issueBranchName,
  prepareBranch,
  push,
  remoteBranchExists,
  scheduledBranchName,
  slugify,
  type GitAuth,
  type GitOptions,
} from '../../src/github/git.js';
import {
  createGitFixture,
  startGitHttpServer,
  type GitFixture,
  type GitHttpServer,
} from '../support/git-fixture.js';

const TOKEN = 'tp_test_token_0123456789abcdef';
const CHECKOUT_TOKEN = 'tp_checkout_token_fedcba9876543210';
const basic = (token: string): string => Buffer.from(`x-access-token:${token}`).toString('base64');

const author = { name: 'taskpilot[bot]', email: 'taskpilot@example.com' };

describe('branch names', () => {
  it('slugifies titles: lowercase ascii, single dashes, no leading or trailing dash', () => {
    expect(slugify('Fix the  login page!')).toBe('fix-the-login-page');
    expect(slugify('  --Hello, World--  ')).toBe('hello-world');
    expect(slugify('Crash in `foo()` when x > 3 && y < 2')).toBe('crash-in-foo-when-x-3-y-2');
    expect(slugify('Café déjà vu — naïve ﬁx')).toBe('cafe-deja-vu-naive-fix');
    expect(slugify('日本語のタイトル')).toBe('');
    expect(slugify('🚀 Launch 🚀')).toBe('launch');
    expect(slugify('feat/ui: add ../../etc & HEAD@{1}')).toBe('feat-ui-add-etc-head-1');
  });

  it('cuts long slugs to 40 characters, at a word boundary when one is near', () => {
    const long = slugify('Refactor the configuration loader so that it supports nested environments');
    expect(long).toBe('refactor-the-configuration-loader-so');
    expect(long.length).toBeLessThanOrEqual(40);
    const oneWord = slugify('a'.repeat(39) + ' b' + 'c'.repeat(50));
    expect(oneWord).toBe('a'.repeat(39));
    const noBoundary = slugify('x'.repeat(100));
    expect(noBoundary).toBe('x'.repeat(40));
    for (let n = 30; n < 60; n++) {
      const slug = slugify(`${'ab-'.repeat(n)}`);
      expect(slug.length).toBeLessThanOrEqual(40);
      expect(slug.endsWith('-')).toBe(false);
    }
  });

  it('names issue branches', () => {
    expect(issueBranchName({ issueNumber: 42, title: 'Fix the login page' })).toBe(
      'taskpilot/issue-42-fix-the-login-page',
    );
    expect(issueBranchName({ issueNumber: 7, title: '日本語', prefix: 'bots/tp-' })).toBe('bots/tp-issue-7');
    expect(() => issueBranchName({ issueNumber: 1, title: 'x', prefix: 'bad..prefix/' })).toThrow(
      BranchNameError,
    );
    expect(() => issueBranchName({ issueNumber: 0, title: 'x' })).toThrow(RangeError);
  });

  it('names scheduled and dispatched runs by workflow and UTC minute', () => {
    const date = new Date('2026-11-24T23:59:30+02:00'); // 21:59 UTC
    expect(scheduledBranchName({ workflow: 'Nightly Dependency Sweep', date })).toBe(
      'taskpilot/nightly-dependency-sweep-20261124-2159',
    );
    expect(scheduledBranchName({ workflow: '***', date, prefix: 'x/' })).toBe('x/run-20261124-2159');
    expect(() => scheduledBranchName({ workflow: 'a', date: new Date(Number.NaN) })).toThrow(RangeError);
  });

  it('validates names exactly as git check-ref-format --branch does', async () => {
    const names = [
      'main',
      'taskpilot/issue-1-x',
      'a/b/c',
      'feature.v2',
      'foo./bar',
      'ünïcode',
      '+plus',
      '',
      '-dash',
      'HEAD',
      'a@b',
      'a@{1}',
      '/lead',
      'trail/',
      'dot.',
      'a..b',
      'a//b',
      '.hidden',
      'a/.hidden',
      'x.lock',
      'x.lock/y',
      'sp ace',
      'tab\tname',
      'til~de',
      'ca^ret',
      'co:lon',
      'q?',
      'st*r',
      'br[acket',
      'back\\slash',
      'del\x7f',
    ];
    for (const name of names) {
      const gitSays = await checkRefFormat(name);
      expect({ name, valid: isValidBranchName(name) }).toEqual({ name, valid: gitSays });
    }
    // Deliberately stricter: git accepts `@` (refs/heads/@), but `@` also means HEAD.
    expect(await checkRefFormat('@')).toBe(true);
    expect(isValidBranchName('@')).toBe(false);
  });
});

describe('git operations', () => {
  let fx: GitFixture;
  let opts: GitOptions;

  beforeEach(async () => {
    fx = await createGitFixture();
    opts = { env: fx.env };
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  describe('prepareBranch', () => {
    it('creates a new branch from origin/<base>', async () => {
      const result = await prepareBranch(
        fx.workspace,
        { kind: 'new', branch: 'taskpilot/issue-1-x', base: 'main' },
        null,
        opts,
      );
      expect(result).toEqual({
        branch: 'taskpilot/issue-1-x',
        action: 'created',
        from: 'refs/remotes/origin/main',
        sha: fx.initialSha,
        fetched: false,
      });
      expect(await fx.git(fx.workspace, 'symbolic-ref', 'HEAD')).toBe('refs/heads/taskpilot/issue-1-x');
    });

    it('fetches a base that is not known locally', async () => {
      const other = await fx.clone('other');
      const devSha = await fx.commitFile(other, 'dev.txt', 'dev\n');
      await fx.git(other, 'push', '--quiet', 'origin', 'HEAD:refs/heads/develop');
      const result = await prepareBranch(
        fx.workspace,
        { kind: 'new', branch: 'tp/x', base: 'develop' },
        null,
        opts,
      );
      expect(result).toMatchObject({
        action: 'created',
        from: 'refs/remotes/origin/develop',
        sha: devSha,
        fetched: true,
      });
    });

    it('reuses the branch an earlier run pushed to origin', async () => {
      const other = await fx.clone('other');
      await fx.git(other, 'checkout', '--quiet', '-b', 'taskpilot/issue-2-y');
      const earlier = await fx.commitFile(other, 'a.txt', 'earlier run\n');
      await fx.git(other, 'push', '--quiet', 'origin', 'HEAD');
      const result = await prepareBranch(
        fx.workspace,
        { kind: 'new', branch: 'taskpilot/issue-2-y', base: 'main' },
        null,
        opts,
      );
      expect(result).toEqual({
        branch: 'taskpilot/issue-2-y',
        action: 'reused',
        from: 'refs/remotes/origin/taskpilot/issue-2-y',
        sha: earlier,
        fetched: true,
      });
      expect(await readFile(path.join(fx.workspace, 'a.txt'), 'utf8')).toBe('earlier run\n');
    });

    it('reuses a local branch that origin lacks as it is, commits and all', async () => {
      await fx.git(fx.workspace, 'checkout', '--quiet', '-b', 'taskpilot/issue-3-z');
      const local = await fx.commitFile(fx.workspace, 'z.txt', 'local work\n');
      await fx.git(fx.workspace, 'checkout', '--quiet', 'main');
      const result = await prepareBranch(
        fx.workspace,
        { kind: 'new', branch: 'taskpilot/issue-3-z', base: 'main', onRemote: false },
        null,
        opts,
      );
      expect(result).toEqual({
        branch: 'taskpilot/issue-3-z',
        action: 'reused',
        from: 'refs/heads/taskpilot/issue-3-z',
        sha: local,
        fetched: false,
      });
      expect(await fx.git(fx.workspace, 'rev-parse', 'HEAD')).toBe(local);
      expect(await readFile(path.join(fx.workspace, 'z.txt'), 'utf8')).toBe('local work\n');
    });

    it('checks out a PR head branch that exists only on origin', async () => {
      const other = await fx.clone('other');
      await fx.git(other, 'checkout', '--quiet', '-b', 'feature/login');
      const head = await fx.commitFile(other, 'login.ts', 'export {};\n');
      await fx.git(other, 'push', '--quiet', 'origin', 'HEAD');
      const result = await prepareBranch(
        fx.workspace,
        { kind: 'pr-head', branch: 'feature/login' },
        null,
        opts,
      );
      expect(result).toEqual({
        branch: 'feature/login',
        action: 'checked-out',
        from: 'refs/remotes/origin/feature/login',
        sha: head,
        fetched: true,
      });
      expect(await fx.git(fx.workspace, 'symbolic-ref', '--short', 'HEAD')).toBe('feature/login');
    });

    it('checks out a PR head branch that is already local without fetching', async () => {
      await fx.git(fx.workspace, 'checkout', '--quiet', '-b', 'feature/local');
      const head = await fx.commitFile(fx.workspace, 'b.txt', 'b\n');
      await fx.git(fx.workspace, 'checkout', '--quiet', 'main');
      const result = await prepareBranch(
        fx.workspace,
        { kind: 'pr-head', branch: 'feature/local' },
        null,
        opts,
      );
      expect(result).toEqual({
        branch: 'feature/local',
        action: 'checked-out',
        from: 'refs/heads/feature/local',
        sha: head,
        fetched: false,
      });
    });

    it('throws a GitError for a PR head that origin does not have, and BranchNameError for bad names', async () => {
      await expect(
        prepareBranch(fx.workspace, { kind: 'pr-head', branch: 'nope' }, null, opts),
      ).rejects.toBeInstanceOf(GitError);
      await expect(
        prepareBranch(fx.workspace, { kind: 'new', branch: 'a..b', base: 'main' }, null, opts),
      ).rejects.toBeInstanceOf(BranchNameError);
    });
  });

  describe('helpers', () => {
    it('reads the default branch from origin/HEAD when set', async () => {
      expect(await defaultBranchFromOrigin(fx.workspace, opts)).toBe('main');
      await fx.git(fx.workspace, 'remote', 'set-head', 'origin', '--delete');
      expect(await defaultBranchFromOrigin(fx.workspace, opts)).toBeNull();
    });

    it('asks origin whether a branch exists', async () => {
      expect(await remoteBranchExists(fx.workspace, 'main', null, opts)).toBe(true);
      expect(await remoteBranchExists(fx.workspace, 'mai', null, opts)).toBe(false);
      expect(await remoteBranchExists(fx.workspace, 'taskpilot/none', null, opts)).toBe(false);
    });

    it('reports the current sha and uncommitted changes', async () => {
      expect(await currentSha(fx.workspace, opts)).toBe(fx.initialSha);
      expect(await hasUncommittedChanges(fx.workspace, opts)).toBe(false);
      await mkdir(path.join(fx.workspace, '.tasks'));
      await writeFile(path.join(fx.workspace, '.tasks', '1.json'), '{}');
      expect(await hasUncommittedChanges(fx.workspace, opts)).toBe(true);
      expect(await hasUncommittedChanges(fx.workspace, { ...opts, exclude: ['.tasks'] })).toBe(false);
    });

    it('fails with GitError (exitCode null) when aborted or when git cannot start', async () => {
      const error = await currentSha(fx.workspace, { ...opts, signal: AbortSignal.abort() }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(GitError);
      expect((error as GitError).exitCode).toBeNull();
      const missing = await currentSha(fx.workspace, { env: { PATH: '/nonexistent' } }).catch(
        (e: unknown) => e,
      );
      expect(missing).toBeInstanceOf(GitError);
      expect((missing as GitError).exitCode).toBeNull();
    });

    it('ends git and its helpers when aborted mid-command', async () => {
      const silent = http.createServer(() => undefined); // accepts, never answers
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as AddressInfo;
      try {
        await fx.git(fx.workspace, 'remote', 'set-url', 'origin', `http://127.0.0.1:${port}/r.git`);
        const started = Date.now();
        const error = await remoteBranchExists(fx.workspace, 'main', null, {
          ...opts,
          signal: AbortSignal.timeout(300),
        }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(GitError);
        expect((error as GitError).exitCode).toBeNull();
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        silent.closeAllConnections();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('runs git without secrets or repository redirection in its environment', () => {
      const env = gitEnv({
        PATH: '/bin',
        HOME: '/home/runner',
        GITHUB_TOKEN: 'x',
        ANTHROPIC_API_KEY: 'x',
        INPUT_GITHUB_TOKEN: 'x',
        ACTIONS_RUNTIME_TOKEN: 'x',
        GIT_DIR: '/elsewhere',
        GIT_TRACE_CURL: '/tmp/trace',
        GIT_AUTHOR_NAME: 'someone',
        SSH_AUTH_SOCK: '/tmp/agent',
        GIT_CONFIG_GLOBAL: '/tmp/gitconfig',
        GITHUB_REPOSITORY: 'o/r',
      });
      expect(env).toEqual({
        PATH: '/bin',
        HOME: '/home/runner',
        SSH_AUTH_SOCK: '/tmp/agent',
        GIT_CONFIG_GLOBAL: '/tmp/gitconfig',
        GITHUB_REPOSITORY: 'o/r',
        GIT_TERMINAL_PROMPT: '0',
      });
    });
  });

  describe('commitAll', () => {
    it('commits as the author with Co-authored-by trailers', async () => {
      await writeFile(path.join(fx.workspace, 'new.txt'), 'new\n');
      await writeFile(path.join(fx.workspace, 'README.md'), '# changed\n');
      const sha = await commitAll(
        fx.workspace,
        {
          message: 'Fix #12: handle the empty case\n\nDetails here.',
          author,
          coAuthors: [
            { name: 'Octo Cat', email: 'octo@example.com' },
            { name: 'Octo Again', email: 'OCTO@example.com' },
            { name: 'Self', email: author.email },
            { name: 'Mona <Lisa>', email: 'mona@example.com' },
          ],
        },
        opts,
      );
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      expect(await fx.git(fx.workspace, 'rev-parse', 'HEAD')).toBe(sha);
      const fields = await fx.git(fx.workspace, 'log', '-1', '--format=%an|%ae|%cn|%ce');
      expect(fields).toBe('taskpilot[bot]|taskpilot@example.com|taskpilot[bot]|taskpilot@example.com');
      const body = await fx.git(fx.workspace, 'log', '-1', '--format=%B');
      expect(body).toBe(
        'Fix #12: handle the empty case\n\nDetails here.\n\n' +
          'Co-authored-by: Octo Cat <octo@example.com>\nCo-authored-by: Mona Lisa <mona@example.com>',
      );
      const trailers = await fx.git(
        fx.workspace,
        'log',
        '-1',
        '--format=%(trailers:key=Co-authored-by,valueonly)',
      );
      expect(trailers.split('\n')).toEqual(['Octo Cat <octo@example.com>', 'Mona Lisa <mona@example.com>']);
      expect(await hasUncommittedChanges(fx.workspace, opts)).toBe(false);
    });

    it('never commits the excluded task board and memory file', async () => {
      await mkdir(path.join(fx.workspace, '.tasks'));
      await mkdir(path.join(fx.workspace, '.memory'));
      await writeFile(path.join(fx.workspace, '.tasks', '1.json'), '{"id":1}');
      await writeFile(path.join(fx.workspace, '.memory', 'MEMORY.md'), 'notes');
      await writeFile(path.join(fx.workspace, '.memory', 'other.md'), 'kept');
      await writeFile(path.join(fx.workspace, 'src.ts'), 'export {};\n');
      // The agent staged the board itself: it must still stay out of the commit.
      await fx.git(fx.workspace, 'add', '.tasks');
      const exclude = ['.tasks/', path.join(fx.workspace, '.memory', 'MEMORY.md'), '/outside/the/workspace'];
      const sha = await commitAll(fx.workspace, { message: 'Work', author, exclude }, opts);
      expect(sha).not.toBeNull();
      const files = await fx.git(fx.workspace, 'show', '--name-only', '--format=', 'HEAD');
      expect(files.split('\n').sort()).toEqual(['.memory/other.md', 'src.ts']);
      expect(await readFile(path.join(fx.workspace, '.tasks', '1.json'), 'utf8')).toBe('{"id":1}');
      expect(await hasUncommittedChanges(fx.workspace, { ...opts, exclude })).toBe(false);
      const infoExclude = await readFile(path.join(fx.workspace, '.git', 'info', 'exclude'), 'utf8');
      expect(infoExclude).toMatch(/(^|\n)\/\.tasks\n\/\.memory\/MEMORY\.md\n$/);
      // Idempotent: a second commit adds no duplicate lines.
      await commitAll(fx.workspace, { message: 'Again', author, exclude }, opts);
      expect(await readFile(path.join(fx.workspace, '.git', 'info', 'exclude'), 'utf8')).toBe(infoExclude);
    });

    it('keeps changes to a tracked excluded file out of the commit', async () => {
      await mkdir(path.join(fx.workspace, '.memory'));
      await writeFile(path.join(fx.workspace, '.memory', 'MEMORY.md'), 'v1');
      await fx.git(fx.workspace, 'add', '.memory/MEMORY.md');
      await fx.git(fx.workspace, 'commit', '--quiet', '-m', 'track memory');
      await writeFile(path.join(fx.workspace, '.memory', 'MEMORY.md'), 'v2');
      await fx.git(fx.workspace, 'add', '.memory/MEMORY.md');
      const sha = await commitAll(
        fx.workspace,
        { message: 'x', author, exclude: ['.memory/MEMORY.md'] },
        opts,
      );
      expect(sha).toBeNull();
      expect(await fx.git(fx.workspace, 'show', 'HEAD:.memory/MEMORY.md')).toBe('v1');
    });

    it('returns null when there is nothing to commit', async () => {
      expect(await commitAll(fx.workspace, { message: 'Nothing', author }, opts)).toBeNull();
      await mkdir(path.join(fx.workspace, '.tasks'));
      await writeFile(path.join(fx.workspace, '.tasks', '1.json'), '{}');
      expect(
        await commitAll(fx.workspace, { message: 'Only the board', author, exclude: ['.tasks'] }, opts),
      ).toBeNull();
      expect(await currentSha(fx.workspace, opts)).toBe(fx.initialSha);
    });

    it('runs no repository hooks, including a core.hooksPath the agent set', async () => {
      const hooks = path.join(fx.workspace, '.husky');
      await mkdir(hooks);
      const marker = path.join(fx.root, 'hook-ran');
      for (const hook of ['pre-commit', 'commit-msg', 'post-commit']) {
        await writeFile(path.join(hooks, hook), `#!/bin/sh\ntouch '${marker}'\nexit 1\n`);
        await chmod(path.join(hooks, hook), 0o755);
      }
      await fx.git(fx.workspace, 'config', 'core.hooksPath', '.husky');
      await writeFile(path.join(fx.workspace, 'x.txt'), 'x');
      expect(await commitAll(fx.workspace, { message: 'x', author }, opts)).not.toBeNull();
      await expect(readFile(marker)).rejects.toThrow();
    });

    it('counts the commits made since a recorded sha, the agent’s own included', async () => {
      const start = await currentSha(fx.workspace, opts);
      await fx.commitFile(fx.workspace, 'one.txt', '1');
      await fx.commitFile(fx.workspace, 'two.txt', '2');
      expect(await commitsSince(fx.workspace, start, opts)).toBe(2);
      await writeFile(path.join(fx.workspace, 'three.txt'), '3');
      await commitAll(fx.workspace, { message: 'Rest', author }, opts);
      expect(await commitsSince(fx.workspace, start, opts)).toBe(3);
    });
  });

  describe('push', () => {
    it('pushes HEAD to a new branch, then fast-forwards it', async () => {
      await prepareBranch(
        fx.workspace,
        { kind: 'new', branch: 'taskpilot/issue-3-z', base: 'main' },
        null,
        opts,
      );
      await writeFile(path.join(fx.workspace, 'z.txt'), 'z');
      const first = await commitAll(fx.workspace, { message: 'z', author }, opts);
      const pushed = await push(fx.workspace, 'taskpilot/issue-3-z', null, opts);
      expect(pushed).toEqual({ ok: true, branch: 'taskpilot/issue-3-z', sha: first, created: true });
      expect(await fx.git(fx.origin, 'rev-parse', 'refs/heads/taskpilot/issue-3-z')).toBe(first);

      await writeFile(path.join(fx.workspace, 'z.txt'), 'zz');
      const second = await commitAll(fx.workspace, { message: 'zz', author }, opts);
      expect(await push(fx.workspace, 'taskpilot/issue-3-z', null, opts)).toEqual({
        ok: true,
        branch: 'taskpilot/issue-3-z',
        sha: second,
        created: false,
      });
      expect(await fx.git(fx.origin, 'rev-parse', 'refs/heads/taskpilot/issue-3-z')).toBe(second);
    });

    it('reports a non-fast-forward as rejected and never forces', async () => {
      const branch = 'taskpilot/issue-4-race';
      await prepareBranch(fx.workspace, { kind: 'new', branch, base: 'main' }, null, opts);
      await fx.commitFile(fx.workspace, 'mine.txt', 'mine');
      const other = await fx.clone('other');
      await fx.git(other, 'checkout', '--quiet', '-b', branch);
      const theirs = await fx.commitFile(other, 'theirs.txt', 'theirs');
      await fx.git(other, 'push', '--quiet', 'origin', 'HEAD');

      const result = await push(fx.workspace, branch, null, opts);
      expect(result).toMatchObject({ ok: false, branch, reason: 'rejected' });
      expect(result.ok === false && result.message).toContain(branch);
      expect(await fx.git(fx.origin, 'rev-parse', `refs/heads/${branch}`)).toBe(theirs);
    });

    it('reports a branch protected by a server hook as rejected', async () => {
      const hook = path.join(fx.origin, 'hooks', 'pre-receive');
      await writeFile(hook, '#!/bin/sh\necho "error: GH006: Protected branch update failed" >&2\nexit 1\n');
      await chmod(hook, 0o755);
      await fx.commitFile(fx.workspace, 'p.txt', 'p');
      const result = await push(fx.workspace, 'main', null, opts);
      expect(result).toMatchObject({ ok: false, branch: 'main', reason: 'rejected' });
      expect(result.ok === false && result.message).toMatch(/main.*pre-receive hook declined.*GH006/);
      expect(await fx.git(fx.origin, 'rev-parse', 'refs/heads/main')).toBe(fx.initialSha);
    });

    it('reports other failures as errors without throwing', async () => {
      await fx.git(fx.workspace, 'remote', 'set-url', 'origin', path.join(fx.root, 'missing.git'));
      const result = await push(fx.workspace, 'taskpilot/x', null, opts);
      expect(result).toMatchObject({ ok: false, branch: 'taskpilot/x', reason: 'error' });
      expect(result.ok === false && result.message).toContain('taskpilot/x');
      expect(await push(fx.workspace, 'bad..name', null, opts)).toMatchObject({ ok: false, reason: 'error' });
    });
  });

  describe('authentication over HTTP', () => {
    let server: GitHttpServer;
    let auth: GitAuth;

    beforeEach(async () => {
      server = await startGitHttpServer(fx.root, [TOKEN, CHECKOUT_TOKEN], fx.env);
      auth = { token: TOKEN, serverUrl: server.url };
      await fx.git(fx.workspace, 'remote', 'set-url', 'origin', `${server.url}/origin.git`);
      // What actions/checkout persists: an extraheader for the server, with its own token.
      await fx.git(
        fx.workspace,
        'config',
        `http.${server.url}/.extraheader`,
        `AUTHORIZATION: basic ${basic(CHECKOUT_TOKEN)}`,
      );
    });
    afterEach(async () => {
      await server.close();
    });

    it('sends exactly one Authorization header, with the given token, and stores it nowhere', async () => {
      const branch = 'taskpilot/issue-5-auth';
      const prepared = await prepareBranch(fx.workspace, { kind: 'new', branch, base: 'main' }, auth, opts);
      expect(prepared.action).toBe('created');
      await writeFile(path.join(fx.workspace, 'auth.txt'), 'a');
      const sha = await commitAll(fx.workspace, { message: 'auth', author }, opts);
      const result = await push(fx.workspace, branch, auth, opts);
      expect(result).toEqual({ ok: true, branch, sha, created: true });
      expect(await fx.git(fx.origin, 'rev-parse', `refs/heads/${branch}`)).toBe(sha);

      expectOnlyHeader(server, TOKEN);
      expect(server.requests.some((r) => r.path.endsWith('/git-receive-pack'))).toBe(true);
      await expectSecretAbsent(fx, fx.workspace, [TOKEN, basic(TOKEN)]);
      expect(await fx.git(fx.workspace, 'remote', 'get-url', 'origin')).toBe(`${server.url}/origin.git`);
    });

    it('uses the checkout’s credentials when given no token', async () => {
      expect(await remoteBranchExists(fx.workspace, 'main', null, opts)).toBe(true);
      expectOnlyHeader(server, CHECKOUT_TOKEN);
    });

    it('does not send the token to a host other than serverUrl', async () => {
      const elsewhere: GitAuth = { token: TOKEN, serverUrl: 'https://github.com' };
      expect(await remoteBranchExists(fx.workspace, 'main', elsewhere, opts)).toBe(true);
      expectOnlyHeader(server, CHECKOUT_TOKEN);
    });

    it('redacts the token from GitError messages, args and stderr', async () => {
      // A branch named like the token makes git echo it in its error.
      const error = await prepareBranch(fx.workspace, { kind: 'pr-head', branch: TOKEN }, auth, opts).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(GitError);
      const gitError = error as GitError;
      expect(gitError.exitCode).not.toBe(0);
      const text = [gitError.message, gitError.stderr, ...gitError.args, JSON.stringify(gitError)].join('\n');
      expect(text).toContain('***');
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(basic(TOKEN));
    });

    it('reports a rejected authenticated push with the branch name and the token redacted', async () => {
      const branch = 'taskpilot/issue-6-race';
      await prepareBranch(fx.workspace, { kind: 'new', branch, base: 'main' }, auth, opts);
      await fx.commitFile(fx.workspace, 'mine.txt', 'mine');
      const other = await fx.clone('other');
      await fx.git(other, 'checkout', '--quiet', '-b', branch);
      const theirs = await fx.commitFile(other, 'theirs.txt', 'theirs');
      await fx.git(other, 'push', '--quiet', 'origin', 'HEAD');

      const result = await push(fx.workspace, branch, auth, opts);
      expect(result).toMatchObject({ ok: false, branch, reason: 'rejected' });
      expect(JSON.stringify(result)).not.toContain(TOKEN);
      expect(await fx.git(fx.origin, 'rev-parse', `refs/heads/${branch}`)).toBe(theirs);
      await expectSecretAbsent(fx, fx.workspace, [TOKEN, basic(TOKEN)]);
    });
  });
});

/** Every request the server saw carried exactly one Authorization header, for `token`. */
function expectOnlyHeader(server: GitHttpServer, token: string): void {
  expect(server.requests.length).toBeGreaterThan(0);
  for (const request of server.requests) expect(request.authorization).toEqual([`basic ${basic(token)}`]);
}

/** The secrets appear in no file under .git, no commit or reflog message, and no remote URL. */
async function expectSecretAbsent(fx: GitFixture, dir: string, secrets: readonly string[]): Promise<void> {
  const texts = [
    await fx.git(dir, 'log', '--all', '--format=%an %ae %cn %ce%n%B'),
    await fx.git(dir, 'reflog', 'show', '--all', '--format=%gs %B'),
    await fx.git(dir, 'remote', '-v'),
    await fx.git(dir, 'config', '--list', '--show-origin'),
  ];
  for (const file of await listFiles(path.join(dir, '.git'))) texts.push(await readFile(file, 'latin1'));
  for (const secret of secrets) {
    for (const text of texts) expect(text.includes(secret)).toBe(false);
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** `git check-ref-format --branch <name>` outside any repository: true when git accepts it. */
function checkRefFormat(name: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('git', ['check-ref-format', '--branch', name], { cwd: '/' }, (error) => resolve(!error));
  });
}
