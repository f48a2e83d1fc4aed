import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  EmulatorStore,
  type EmuComment,
  type EmuIssue,
  type EmuRepo,
  type Role,
} from './github-emulator-store.js';
import { FaultInjector, type Fault, type FaultSpec } from './github-emulator-faults.js';
import {
  defaultRoutes,
  notFound,
  type EmulatorRequest,
  type EmulatorResponse,
  type RouteContext,
  type RouteHandler,
} from './github-emulator-routes.js';

export type { EmuComment, EmuIssue, EmuPull, EmuRepo, Role } from './github-emulator-store.js';
export type { EmulatorRequest, EmulatorResponse, RouteHandler } from './github-emulator-routes.js';
export type { Fault, FaultSpec } from './github-emulator-faults.js';

/**
 * A loopback GitHub REST emulator for tests: a node:http server on 127.0.0.1 (random port) over
 * in-memory data, recording every request, with injectable faults (5xx, rate limits, delays).
 * Never talks to the network.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: unknown;
  /** The status the emulator answered with. */
  status: number;
}

export interface GitHubEmulatorOptions {
  /** When set, requests must carry `token <t>` or `Bearer <t>`; others get 401. */
  token?: string;
  /** Seed of the RNG used by probabilistic faults. Default 1. */
  seed?: number;
  /** Clock for created_at/updated_at (epoch ms). Default Date.now. */
  now?: () => number;
  /** Root of html_url fields. Default https://github.com. */
  htmlBase?: string;
}

function compile(pattern: string): RegExp {
  const source = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, '(?<$1>[^/]+)');
  return new RegExp(`^${source}/?$`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export class GitHubEmulator {
  readonly store: EmulatorStore;
  readonly requests: RecordedRequest[] = [];
  readonly cancelledRuns: number[] = [];
  private readonly routes: { method: string; regex: RegExp; handler: RouteHandler }[] = [];
  private readonly faults: FaultInjector;
  private server: Server | null = null;
  private base = '';

  private constructor(private readonly options: GitHubEmulatorOptions) {
    this.store = new EmulatorStore(options.now ?? Date.now, options.htmlBase ?? 'https://github.com');
    this.faults = new FaultInjector(options.seed ?? 1);
    for (const route of defaultRoutes) this.route(route.method, route.pattern, route.handler);
  }

  static async start(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
    const emulator = new GitHubEmulator(options);
    const server = createServer((req, res) => void emulator.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    emulator.server = server;
    emulator.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return emulator;
  }

  /** The API root to pass as Octokit's baseUrl / GITHUB_API_URL. */
  get url(): string {
    return this.base;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Adds or overrides an endpoint; later routes win over earlier ones. */
  route(method: string, pattern: string, handler: RouteHandler): void {
    this.routes.unshift({ method: method.toUpperCase(), regex: compile(pattern), handler });
  }

  /** Arms a fault; see FaultSpec. */
  fail(spec: FaultSpec): Fault {
    return this.faults.add(spec);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  // ---- data helpers ------------------------------------------------------------------------

  addRepo(fullName: string, options?: { defaultBranch?: string; private?: boolean }): EmuRepo {
    return this.store.addRepo(fullName, options);
  }

  addIssue(fullName: string, issue: Parameters<EmulatorStore['addIssue']>[1]): EmuIssue {
    return this.store.addIssue(fullName, issue);
  }

  addPullRequest(
    fullName: string,
    pr: Omit<Parameters<EmulatorStore['addIssue']>[1], 'pull'> & {
      head: string;
      base?: string;
      draft?: boolean;
      /** Full name of the head repository, for a pull request from a fork. */
      headRepo?: string;
    },
  ): EmuIssue {
    const repo = this.store.requireRepo(fullName);
    const sha = repo.branches.get(pr.head) ?? 'a'.repeat(40);
    repo.branches.set(pr.head, sha);
    return this.store.addIssue(fullName, {
      ...pr,
      pull: {
        head: { ref: pr.head, sha, ...(pr.headRepo ? { repo: pr.headRepo } : {}) },
        base: { ref: pr.base ?? repo.defaultBranch },
        draft: pr.draft ?? false,
        requestedReviewers: [],
      },
    });
  }

  addComment(
    fullName: string,
    issueNumber: number,
    comment: Parameters<EmulatorStore['addComment']>[2],
  ): EmuComment {
    return this.store.addComment(fullName, issueNumber, comment);
  }

  /** Registers a user (so the permission endpoint knows it) with a role in the repository. */
  setPermission(fullName: string, login: string, role: Role, customBase?: 'admin' | 'write' | 'read'): void {
    const repo = this.store.requireRepo(fullName);
    this.store.user(login);
    repo.roles.set(login.toLowerCase(), role);
    if (customBase) repo.customBase.set(login.toLowerCase(), customBase);
  }

  comments(fullName: string, issueNumber: number): EmuComment[] {
    return this.store.commentsOf(fullName, issueNumber);
  }

  /** Recorded requests matching a method and a path (string: exact; RegExp: test). */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (r) =>
        r.method === method.toUpperCase() && (typeof path === 'string' ? r.path === path : path.test(r.path)),
    );
  }

  // ---- request handling --------------------------------------------------------------------

  private dispatch(req: EmulatorRequest): EmulatorResponse {
    const ctx: RouteContext = { store: this.store, apiBase: this.base, cancelledRuns: this.cancelledRuns };
    for (const route of this.routes) {
      if (route.method !== req.method) continue;
      const match = route.regex.exec(req.path);
      if (!match) continue;
      return route.handler({ ...req, params: { ...match.groups } }, ctx);
    }
    return notFound();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const body = await readBody(req);
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const request: EmulatorRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: url.searchParams,
      headers: { ...req.headers },
      body,
      json,
      params: {},
    };
    const unauthorized = this.options.token !== undefined && !this.authorized(req.headers.authorization);
    const fault = unauthorized ? null : this.faults.pick(request);
    let response: EmulatorResponse;
    try {
      if (unauthorized) {
        response = { status: 401, body: { message: 'Bad credentials' } };
      } else if (fault && fault.spec.status !== undefined) {
        if (fault.spec.applyFirst) this.dispatch(request);
        response = FaultInjector.response(fault.spec);
      } else {
        response = this.dispatch(request);
      }
    } catch (error) {
      response = { status: 500, body: { message: `emulator error: ${(error as Error).message}` } };
    }
    if (fault?.spec.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.spec.delayMs));
    this.requests.push({
      method: request.method,
      path: request.path,
      query: Object.fromEntries(url.searchParams),
      headers: request.headers,
      body,
      json,
      status: response.status,
    });
    if (res.destroyed) return;
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-request-id': `EMU:${this.requests.length}`,
      ...response.headers,
    };
    res.writeHead(response.status, headers);
    res.end(response.body === undefined ? '' : JSON.stringify(response.body));
  }

  private authorized(header: string | undefined): boolean {
    const token = this.options.token;
    return header === `token ${token}` || header === `Bearer ${token}`;
  }
}
