/**
 * In-memory GitHub data for the emulator: users, repositories, issues, pull requests, comments,
 * collaborator roles. JSON builders return the REST shapes taskpilot reads.
 */

/** A repository role; any other string is a custom role (give its base with setPermission). */
export type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none' | (string & {});

export interface EmuUser {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export interface EmuComment {
  id: number;
  repo: string;
  issueNumber: number;
  body: string;
  user: EmuUser;
  createdAt: string;
  updatedAt: string;
}

export interface EmuPull {
  /** `repo` is the head repository's full name when it differs from the base (a fork). */
  head: { ref: string; sha: string; repo?: string };
  base: { ref: string };
  draft: boolean;
  requestedReviewers: string[];
}

export interface EmuIssue {
  number: number;
  title: string;
  body: string | null;
  user: EmuUser;
  labels: string[];
  state: 'open' | 'closed';
  createdAt: string;
  updatedAt: string;
  /** Set for pull requests. */
  pull: EmuPull | null;
}

export interface EmuRepo {
  owner: string;
  name: string;
  id: number;
  defaultBranch: string;
  private: boolean;
  issues: Map<number, EmuIssue>;
  /** Lower-cased login → role. */
  roles: Map<string, Role>;
  /** Lower-cased login → legacy `permission` of a custom role. */
  customBase: Map<string, string>;
  labels: Set<string>;
  /** Branch name → head sha, for the branch and PR endpoints. */
  branches: Map<string, string>;
  nextNumber: number;
}

export class EmulatorStore {
  readonly repos = new Map<string, EmuRepo>();
  readonly comments = new Map<number, EmuComment>();
  readonly users = new Map<string, EmuUser>();
  private nextId = 1000;

  constructor(
    private readonly clock: () => number,
    /** e.g. https://github.com, for html_url fields. */
    readonly htmlBase: string,
  ) {}

  id(): number {
    return this.nextId++;
  }

  nowIso(): string {
    return new Date(this.clock()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  user(login: string, type?: 'User' | 'Bot'): EmuUser {
    const key = login.toLowerCase();
    let user = this.users.get(key);
    if (!user) {
      user = { login, id: this.id(), type: type ?? (login.endsWith('[bot]') ? 'Bot' : 'User') };
      this.users.set(key, user);
    }
    return user;
  }

  repo(fullName: string): EmuRepo | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  requireRepo(fullName: string): EmuRepo {
    const repo = this.repo(fullName);
    if (!repo) throw new Error(`emulator: no repository ${fullName}`);
    return repo;
  }

  addRepo(fullName: string, options: { defaultBranch?: string; private?: boolean } = {}): EmuRepo {
    const [owner, name] = fullName.split('/');
    if (!owner || !name) throw new Error(`emulator: bad repository name ${fullName}`);
    this.user(owner);
    const defaultBranch = options.defaultBranch ?? 'main';
    const repo: EmuRepo = {
      owner,
      name,
      id: this.id(),
      defaultBranch,
      private: options.private ?? false,
      issues: new Map(),
      roles: new Map([[owner.toLowerCase(), 'admin']]),
      customBase: new Map(),
      labels: new Set(),
      branches: new Map([[defaultBranch, '0'.repeat(40)]]),
      nextNumber: 1,
    };
    this.repos.set(fullName.toLowerCase(), repo);
    return repo;
  }

  addIssue(
    fullName: string,
    issue: {
      title: string;
      body?: string | null;
      user?: string;
      labels?: string[];
      pull?: EmuPull;
      createdAt?: string;
    },
  ): EmuIssue {
    const repo = this.requireRepo(fullName);
    const at = issue.createdAt ?? this.nowIso();
    const created: EmuIssue = {
      number: repo.nextNumber++,
      title: issue.title,
      body: issue.body ?? null,
      user: this.user(issue.user ?? repo.owner),
      labels: [...(issue.labels ?? [])],
      state: 'open',
      createdAt: at,
      updatedAt: at,
      pull: issue.pull ?? null,
    };
    for (const label of created.labels) repo.labels.add(label);
    repo.issues.set(created.number, created);
    return created;
  }

  addComment(
    fullName: string,
    issueNumber: number,
    comment: { body: string; user?: string; createdAt?: string; updatedAt?: string },
  ): EmuComment {
    const repo = this.requireRepo(fullName);
    if (!repo.issues.has(issueNumber)) throw new Error(`emulator: no issue #${issueNumber} in ${fullName}`);
    const at = comment.createdAt ?? this.nowIso();
    const created: EmuComment = {
      id: this.id(),
      repo: `${repo.owner}/${repo.name}`,
      issueNumber,
      body: comment.body,
      user: this.user(comment.user ?? repo.owner),
      createdAt: at,
      updatedAt: comment.updatedAt ?? at,
    };
    this.comments.set(created.id, created);
    return created;
  }

  commentsOf(fullName: string, issueNumber: number): EmuComment[] {
    const key = fullName.toLowerCase();
    return [...this.comments.values()]
      .filter((c) => c.repo.toLowerCase() === key && c.issueNumber === issueNumber)
      .sort((a, b) => a.id - b.id);
  }

  // ---- REST shapes -------------------------------------------------------------------------

  userJson(user: EmuUser): Record<string, unknown> {
    return {
      login: user.login,
      id: user.id,
      type: user.type,
      site_admin: false,
      html_url: `${this.htmlBase}/${user.login}`,
    };
  }

  repoJson(repo: EmuRepo, apiBase: string): Record<string, unknown> {
    return {
      id: repo.id,
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      owner: this.userJson(this.user(repo.owner)),
      private: repo.private,
      default_branch: repo.defaultBranch,
      html_url: `${this.htmlBase}/${repo.owner}/${repo.name}`,
      url: `${apiBase}/repos/${repo.owner}/${repo.name}`,
    };
  }

  issueJson(repo: EmuRepo, issue: EmuIssue, apiBase: string): Record<string, unknown> {
    const path = `${repo.owner}/${repo.name}`;
    return {
      id: issue.number * 7919,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      user: this.userJson(issue.user),
      labels: issue.labels.map((name) => ({ name })),
      state: issue.state,
      comments: this.commentsOf(path, issue.number).length,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      html_url: `${this.htmlBase}/${path}/${issue.pull ? 'pull' : 'issues'}/${issue.number}`,
      url: `${apiBase}/repos/${path}/issues/${issue.number}`,
      ...(issue.pull ? { pull_request: { url: `${apiBase}/repos/${path}/pulls/${issue.number}` } } : {}),
    };
  }

  pullJson(repo: EmuRepo, issue: EmuIssue, apiBase: string): Record<string, unknown> {
    const pull = issue.pull;
    if (!pull) throw new Error('emulator: not a pull request');
    const path = `${repo.owner}/${repo.name}`;
    const repoJson = this.repoJson(repo, apiBase);
    return {
      ...this.issueJson(repo, issue, apiBase),
      url: `${apiBase}/repos/${path}/pulls/${issue.number}`,
      draft: pull.draft,
      head: {
        ref: pull.head.ref,
        sha: pull.head.sha,
        repo: pull.head.repo ? { ...repoJson, full_name: pull.head.repo, fork: true } : repoJson,
      },
      base: { ref: pull.base.ref, sha: repo.branches.get(pull.base.ref) ?? '0'.repeat(40), repo: repoJson },
      requested_reviewers: pull.requestedReviewers.map((login) => this.userJson(this.user(login))),
      requested_teams: [],
    };
  }

  commentJson(comment: EmuComment, apiBase: string): Record<string, unknown> {
    const repo = this.requireRepo(comment.repo);
    const issue = repo.issues.get(comment.issueNumber);
    const kind = issue?.pull ? 'pull' : 'issues';
    return {
      id: comment.id,
      body: comment.body,
      user: this.userJson(comment.user),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      author_association: 'NONE',
      html_url: `${this.htmlBase}/${comment.repo}/${kind}/${comment.issueNumber}#issuecomment-${comment.id}`,
      url: `${apiBase}/repos/${comment.repo}/issues/comments/${comment.id}`,
      issue_url: `${apiBase}/repos/${comment.repo}/issues/${comment.issueNumber}`,
    };
  }
}
