import type { EmulatorStore, EmuRepo } from './github-emulator-store.js';

/**
 * Default REST routes of the GitHub emulator. Add a route for a new endpoint here (or at run
 * time with GitHubEmulator.route); patterns use `:name` segments.
 */

export interface EmulatorRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The parsed JSON body, or undefined. */
  json: unknown;
  params: Record<string, string>;
}

export interface EmulatorResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext {
  store: EmulatorStore;
  /** The emulator's API root, e.g. http://127.0.0.1:1234 */
  apiBase: string;
  /** Run ids cancelled through the API. */
  cancelledRuns: number[];
}

export type RouteHandler = (req: EmulatorRequest, ctx: RouteContext) => EmulatorResponse;

export interface Route {
  method: string;
  pattern: string;
  handler: RouteHandler;
}

export const notFound = (): EmulatorResponse => ({
  status: 404,
  body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
});

const invalid = (message: string): EmulatorResponse => ({
  status: 422,
  body: {
    message: 'Validation Failed',
    errors: [{ message }],
    documentation_url: 'https://docs.github.com/rest',
  },
});

function field(json: unknown, name: string): unknown {
  return typeof json === 'object' && json !== null ? (json as Record<string, unknown>)[name] : undefined;
}

function repoOf(req: EmulatorRequest, ctx: RouteContext): EmuRepo | undefined {
  return ctx.store.repo(`${req.params['owner']}/${req.params['repo']}`);
}

/** Pages `items` like GitHub: `per_page` (default 30, max 100), `page`, and a Link header. */
export function paginate<T>(
  items: readonly T[],
  req: EmulatorRequest,
  apiBase: string,
): { page: T[]; link: string } {
  const perPage = Math.min(100, Math.max(1, Number(req.query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const url = (n: number): string => {
    const q = new URLSearchParams(req.query);
    q.set('per_page', String(perPage));
    q.set('page', String(n));
    return `<${apiBase}${req.path}?${q.toString()}>`;
  };
  const links: string[] = [];
  if (page < last) links.push(`${url(page + 1)}; rel="next"`, `${url(last)}; rel="last"`);
  if (page > 1) links.push(`${url(1)}; rel="first"`, `${url(page - 1)}; rel="prev"`);
  return { page: items.slice((page - 1) * perPage, page * perPage), link: links.join(', ') };
}

const LEGACY: Record<string, string> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
  none: 'none',
};

export const defaultRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo',
    handler: (req, ctx) => {
      const repo = repoOf(req, ctx);
      return repo ? { status: 200, body: ctx.store.repoJson(repo, ctx.apiBase) } : notFound();
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/issues/comments/:id',
    handler: (req, ctx) => {
      const comment = ctx.store.comments.get(Number(req.params['id']));
      return comment && repoOf(req, ctx)
        ? { status: 200, body: ctx.store.commentJson(comment, ctx.apiBase) }
        : notFound();
    },
  },
  {
    method: 'PATCH',
    pattern: '/repos/:owner/:repo/issues/comments/:id',
    handler: (req, ctx) => {
      const comment = ctx.store.comments.get(Number(req.params['id']));
      if (!comment || !repoOf(req, ctx)) return notFound();
      const body = field(req.json, 'body');
      if (typeof body !== 'string') return invalid('body is required');
      if (body.length > 65_536) return invalid('body is too long (maximum is 65536 characters)');
      comment.body = body;
      comment.updatedAt = ctx.store.nowIso();
      return { status: 200, body: ctx.store.commentJson(comment, ctx.apiBase) };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/issues/:number/comments',
    handler: (req, ctx) => {
      const repo = repoOf(req, ctx);
      const number = Number(req.params['number']);
      if (!repo?.issues.has(number)) return notFound();
      const all = ctx.store.commentsOf(`${repo.owner}/${repo.name}`, number);
      const since = req.query.get('since');
      const items = since ? all.filter((c) => c.updatedAt >= since) : all;
      const { page, link } = paginate(items, req, ctx.apiBase);
      return {
        status: 200,
        body: page.map((c) => ctx.store.commentJson(c, ctx.apiBase)),
        headers: link ? { link } : {},
      };
    },
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/issues/:number/comments',
    handler: (req, ctx) => {
      const repo = repoOf(req, ctx);
      const number = Number(req.params['number']);
      if (!repo?.issues.has(number)) return notFound();
      const body = field(req.json, 'body');
      if (typeof body !== 'string' || body === '') return invalid('body is required');
      if (body.length > 65_536) return invalid('body is too long (maximum is 65536 characters)');
      const comment = ctx.store.addComment(`${repo.owner}/${repo.name}`, number, {
        body,
        user: 'github-actions[bot]',
      });
      return { status: 201, body: ctx.store.commentJson(comment, ctx.apiBase) };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/issues/:number',
    handler: (req, ctx) => {
      const repo = repoOf(req, ctx);
      const issue = repo?.issues.get(Number(req.params['number']));
      return repo && issue
        ? { status: 200, body: ctx.store.issueJson(repo, issue, ctx.apiBase) }
        : notFound();
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/pulls/:number',
    handler: (req, ctx) => {
      const repo = repoOf(req, ctx);
      const issue = repo?.issues.get(Number(req.params['number']));
      return repo && issue?.pull
        ? { status: 200, body: ctx.store.pullJson(repo, issue, ctx.apiBase) }
        : notFound();
    },
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/pulls',
    handler: (req, ctx) => {
      const repo = repoOf(req, ctx);
      if (!repo) return notFound();
      const title = field(req.json, 'title');
      const head = field(req.json, 'head');
      const base = field(req.json, 'base');
      if (typeof title !== 'string' || typeof head !== 'string' || typeof base !== 'string') {
        return invalid('title, head and base are required');
      }
      const headRef = head.includes(':') ? (head.split(':')[1] ?? head) : head;
      if (!repo.branches.has(base)) return invalid(`base ${base} does not exist`);
      if ([...repo.issues.values()].some((i) => i.pull?.head.ref === headRef && i.state === 'open')) {
        return invalid(`A pull request already exists for ${repo.owner}:${headRef}.`);
      }
      const body = field(req.json, 'body');
      const issue = ctx.store.addIssue(`${repo.owner}/${repo.name}`, {
        title,
        body: typeof body === 'string' ? body : null,
        user: 'github-actions[bot]',
        pull: {
          head: { ref: headRef, sha: repo.branches.get(headRef) ?? 'f'.repeat(40) },
          base: { ref: base },
          draft: field(req.json, 'draft') === true,
          requestedReviewers: [],
        },
      });
      return { status: 201, body: ctx.store.pullJson(repo, issue, ctx.apiBase) };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/pulls',
    handler: (req, ctx) => {
      const repo = repoOf(req, ctx);
      if (!repo) return notFound();
      const head = req.query.get('head');
      const state = req.query.get('state') ?? 'open';
      const pulls = [...repo.issues.values()].filter(
        (i) =>
          i.pull &&
          (state === 'all' || i.state === state) &&
          (!head || `${repo.owner}:${i.pull.head.ref}` === head),
      );
      return { status: 200, body: pulls.map((i) => ctx.store.pullJson(repo, i, ctx.apiBase)) };
    },
  },
  {
    method: 'PATCH',
    pattern: '/repos/:owner/:repo/pulls/:number',
    handler: (req, ctx) => {
      const repo = repoOf(req, ctx);
      const issue = repo?.issues.get(Number(req.params['number']));
      if (!repo || !issue?.pull) return notFound();
      const title = field(req.json, 'title');
      const body = field(req.json, 'body');
      if (typeof title === 'string') issue.title = title;
      if (typeof body === 'string') issue.body = body;
      return { status: 200, body: ctx.store.pullJson(repo, issue, ctx.apiBase) };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/pulls/:number/requested_reviewers',
    handler: (req, ctx) => {
      const issue = repoOf(req, ctx)?.issues.get(Number(req.params['number']));
      if (!issue?.pull) return notFound();
      return {
        status: 200,
        body: {
          users: issue.pull.requestedReviewers.map((l) => ctx.store.userJson(ctx.store.user(l))),
          teams: [],
        },
      };
    },
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/pulls/:number/requested_reviewers',
    handler: (req, ctx) => {
      const repo = repoOf(req, ctx);
      const issue = repo?.issues.get(Number(req.params['number']));
      if (!repo || !issue?.pull) return notFound();
      const reviewers = field(req.json, 'reviewers');
      if (!Array.isArray(reviewers) || !reviewers.every((r): r is string => typeof r === 'string')) {
        return invalid('reviewers must be an array of logins');
      }
      for (const login of reviewers) {
        if (login.toLowerCase() === issue.user.login.toLowerCase()) {
          return invalid('Review cannot be requested from pull request author.');
        }
        if (!issue.pull.requestedReviewers.includes(login)) issue.pull.requestedReviewers.push(login);
      }
      return { status: 201, body: ctx.store.pullJson(repo, issue, ctx.apiBase) };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/collaborators/:username/permission',
    handler: (req, ctx) => {
      const repo = repoOf(req, ctx);
      const login = req.params['username'] ?? '';
      const user = ctx.store.users.get(login.toLowerCase());
      if (!repo || !user) return notFound();
      const role = repo.roles.get(login.toLowerCase()) ?? (repo.private ? 'none' : 'read');
      const permissions = {
        admin: role === 'admin',
        maintain: role === 'admin' || role === 'maintain',
        push: ['admin', 'maintain', 'write'].includes(role),
        triage: ['admin', 'maintain', 'write', 'triage'].includes(role),
        pull: role !== 'none',
      };
      return {
        status: 200,
        body: {
          permission: repo.customBase.get(login.toLowerCase()) ?? LEGACY[role] ?? 'read',
          role_name: role,
          user: { ...ctx.store.userJson(user), permissions },
        },
      };
    },
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/actions/runs/:id/cancel',
    handler: (req, ctx) => {
      if (!repoOf(req, ctx)) return notFound();
      ctx.cancelledRuns.push(Number(req.params['id']));
      return { status: 202, body: {} };
    },
  },
];
