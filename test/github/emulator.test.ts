import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubEmulator } from '../support/github-emulator.js';

const TOKEN = 'ghs_testtoken';
let gh: GitHubEmulator;

async function call(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const response = await fetch(`${gh.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `token ${token}` } : {}), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

beforeEach(async () => {
  gh = await GitHubEmulator.start({ token: TOKEN, seed: 42, now: () => Date.UTC(2026, 0, 1) });
  gh.addRepo('o/r', { defaultBranch: 'trunk' });
  gh.addIssue('o/r', { title: 'Issue', body: 'text', user: 'alice', labels: ['bug'] });
});
afterEach(() => gh.close());

describe('GitHubEmulator', () => {
  it('listens on 127.0.0.1 and requires the token', async () => {
    expect(gh.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await call('GET', '/repos/o/r', undefined, null)).status).toBe(401);
    expect((await call('GET', '/repos/o/r', undefined, 'wrong')).status).toBe(401);
    expect(await call('GET', '/repos/o/r')).toMatchObject({
      status: 200,
      json: { default_branch: 'trunk', full_name: 'o/r' },
    });
  });

  it('serves issues and comments with ids, urls, users and timestamps', async () => {
    const created = await call('POST', '/repos/o/r/issues/1/comments', { body: 'hello' });
    expect(created).toMatchObject({
      status: 201,
      json: {
        body: 'hello',
        user: { login: 'github-actions[bot]', type: 'Bot' },
        created_at: '2026-01-01T00:00:00Z',
        html_url: expect.stringMatching(
          /^https:\/\/github\.com\/o\/r\/issues\/1#issuecomment-\d+$/,
        ) as unknown,
      },
    });
    const id = (created.json as { id: number }).id;
    expect((await call('PATCH', `/repos/o/r/issues/comments/${id}`, { body: 'edited' })).json).toMatchObject({
      body: 'edited',
    });
    expect((await call('GET', `/repos/o/r/issues/comments/${id}`)).json).toMatchObject({ body: 'edited' });
    expect((await call('GET', '/repos/o/r/issues/1')).json).toMatchObject({
      title: 'Issue',
      labels: [{ name: 'bug' }],
      comments: 1,
    });
    expect(
      (await call('PATCH', `/repos/o/r/issues/comments/${id}`, { body: 'x'.repeat(65_537) })).status,
    ).toBe(422);
    expect((await call('GET', '/repos/o/r/issues/99/comments')).status).toBe(404);
  });

  it('paginates with per_page, page and a Link header', async () => {
    for (let i = 0; i < 7; i++) gh.addComment('o/r', 1, { body: `c${i}` });
    const first = await call('GET', '/repos/o/r/issues/1/comments?per_page=3');
    expect((first.json as { body: string }[]).map((c) => c.body)).toEqual(['c0', 'c1', 'c2']);
    expect(first.headers.get('link')).toBe(
      `<${gh.url}/repos/o/r/issues/1/comments?per_page=3&page=2>; rel="next", <${gh.url}/repos/o/r/issues/1/comments?per_page=3&page=3>; rel="last"`,
    );
    const last = await call('GET', '/repos/o/r/issues/1/comments?per_page=3&page=3');
    expect((last.json as { body: string }[]).map((c) => c.body)).toEqual(['c6']);
    expect(last.headers.get('link')).toContain('rel="prev"');
  });

  it('answers the collaborator permission API with role_name and permission', async () => {
    gh.setPermission('o/r', 'maint', 'maintain');
    expect((await call('GET', '/repos/o/r/collaborators/maint/permission')).json).toMatchObject({
      permission: 'write',
      role_name: 'maintain',
      user: { login: 'maint', permissions: { push: true, admin: false } },
    });
    expect((await call('GET', '/repos/o/r/collaborators/alice/permission')).json).toMatchObject({
      permission: 'read',
    });
    expect((await call('GET', '/repos/o/r/collaborators/nobody/permission')).status).toBe(404);
  });

  it('creates pull requests, requests reviewers and cancels runs', async () => {
    gh.store.requireRepo('o/r').branches.set('feature', 'b'.repeat(40));
    const pr = await call('POST', '/repos/o/r/pulls', {
      title: 'Feature',
      head: 'feature',
      base: 'trunk',
      body: 'b',
    });
    expect(pr).toMatchObject({
      status: 201,
      json: { number: 2, head: { ref: 'feature' }, base: { ref: 'trunk' } },
    });
    expect(
      (await call('POST', '/repos/o/r/pulls', { title: 'Again', head: 'feature', base: 'trunk' })).status,
    ).toBe(422);
    expect(
      (await call('POST', '/repos/o/r/pulls/2/requested_reviewers', { reviewers: ['alice'] })).status,
    ).toBe(201);
    expect((await call('GET', '/repos/o/r/pulls/2/requested_reviewers')).json).toMatchObject({
      users: [{ login: 'alice' }],
    });
    expect((await call('GET', '/repos/o/r/pulls/2')).json).toMatchObject({ title: 'Feature', draft: false });
    expect((await call('GET', '/repos/o/r/pulls/1')).status).toBe(404);
    expect((await call('POST', '/repos/o/r/actions/runs/55/cancel')).status).toBe(202);
    expect(gh.cancelledRuns).toEqual([55]);
  });

  it('injects faults by predicate and count, applying the request first when asked', async () => {
    gh.fail({ match: (r) => r.method === 'POST', status: 502, times: 1, applyFirst: true });
    expect((await call('POST', '/repos/o/r/issues/1/comments', { body: 'a' })).status).toBe(502);
    expect(gh.comments('o/r', 1)).toHaveLength(1);
    expect((await call('POST', '/repos/o/r/issues/1/comments', { body: 'b' })).status).toBe(201);
    gh.fail({ status: 403, retryAfter: 7 });
    const limited = await call('GET', '/repos/o/r');
    expect(limited.status).toBe(403);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.json).toMatchObject({
      message: expect.stringContaining('secondary rate limit') as unknown,
    });
  });

  it('injects faults by probability, deterministically for a seed', async () => {
    const run = async (seed: number): Promise<number[]> => {
      const other = await GitHubEmulator.start({ seed });
      other.addRepo('o/r');
      other.fail({ status: 500, probability: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await fetch(`${other.url}/repos/o/r`)).status);
      await other.close();
      return statuses;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(a).toContain(500);
    expect(a).toContain(200);
  });

  it('records every request and can be extended with routes', async () => {
    gh.route('GET', '/repos/:owner/:repo/branches/:branch', (req) => ({
      status: 200,
      body: { name: req.params['branch'] },
    }));
    expect((await call('GET', '/repos/o/r/branches/main')).json).toEqual({ name: 'main' });
    await call('PATCH', '/nowhere', { x: 1 });
    expect(gh.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', '/repos/o/r/branches/main', 200],
      ['PATCH', '/nowhere', 404],
    ]);
    expect(gh.requests[1]).toMatchObject({
      json: { x: 1 },
      body: '{"x":1}',
      headers: { authorization: `token ${TOKEN}` },
    });
  });
});
