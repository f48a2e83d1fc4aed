import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentEvent } from '../../src/agent/events.js';
import { GitHubError } from '../../src/github/errors.js';
import { progressMarker, readStatusMarker } from '../../src/github/markers.js';
import { createOctokit } from '../../src/github/octokit.js';
import {
  heldUntilOpen,
  ProgressComment,
  markCancelledIfUnfinished,
  type ProgressCommentOptions,
} from '../../src/github/progress-comment.js';
import { createRedactor } from '../../src/github/redact.js';
import type { GitHubEmulator } from '../support/github-emulator.js';
import { FULL, REPO, TOKEN, captureLog, fastOctokit, startEmulator } from './helpers.js';
import { endEvents, workingEvents } from './run-fixtures.js';

const API_KEY = 'sk-ant-api03-THE-REAL-KEY-0123456789';
const RUN_ID = 777;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let gh: GitHubEmulator;
let warnings: string[];

beforeEach(async () => {
  gh = await startEmulator();
  gh.addIssue(FULL, { title: 'Please fix' });
  warnings = [];
});
afterEach(() => gh.close());

function options(patch: Partial<ProgressCommentOptions> = {}): ProgressCommentOptions {
  return {
    octokit: fastOctokit(gh),
    repo: REPO,
    issueNumber: 1,
    runId: RUN_ID,
    runUrl: 'https://github.com/octo-org/octo-repo/actions/runs/777',
    intervalMs: 200,
    redact: createRedactor([API_KEY, TOKEN]),
    log: { warning: (m) => warnings.push(m) },
    createRetryDelayMs: 1,
    ...patch,
  };
}

const patches = () => gh.requestsTo('PATCH', /\/issues\/comments\/\d+$/);
const posts = () => gh.requestsTo('POST', '/repos/octo-org/octo-repo/issues/1/comments');
const onlyComment = () => {
  const comments = gh.comments(FULL, 1);
  expect(comments).toHaveLength(1);
  return comments[0]!;
};

describe('ProgressComment.create', () => {
  it('posts one comment with the marker and the working status', async () => {
    const progress = await ProgressComment.create(options());
    const comment = onlyComment();
    expect(progress.id).toBe(comment.id);
    expect(progress.url).toBe(`https://github.com/octo-org/octo-repo/issues/1#issuecomment-${comment.id}`);
    expect(comment.body.startsWith(progressMarker(RUN_ID))).toBe(true);
    expect(readStatusMarker(comment.body)).toBe('working');
    expect(posts()).toHaveLength(1);
  });

  it('finds the comment of this run by its marker instead of posting again (re-run)', async () => {
    gh.addComment(FULL, 1, { body: 'unrelated' });
    const existing = gh.addComment(FULL, 1, {
      body: `${progressMarker(RUN_ID)}\nold`,
      user: 'github-actions[bot]',
    });
    gh.addComment(FULL, 1, { body: `${progressMarker(RUN_ID + 1)}\nanother run` });
    const progress = await ProgressComment.create(options());
    expect(progress.id).toBe(existing.id);
    expect(posts()).toHaveLength(0);
    const again = await ProgressComment.create(options());
    expect(again.id).toBe(existing.id);
  });

  it('does not duplicate a POST whose response was lost', async () => {
    gh.fail({ match: (r) => r.method === 'POST', status: 502, applyFirst: true });
    const progress = await ProgressComment.create(options());
    expect(progress.id).toBe(onlyComment().id);
    expect(posts().map((r) => r.status)).toEqual([502]);
  });

  it('posts again when a failed POST did not land', async () => {
    gh.fail({ match: (r) => r.method === 'POST', status: 502, times: 2 });
    const progress = await ProgressComment.create(options());
    expect(progress.id).toBe(onlyComment().id);
    expect(posts().map((r) => r.status)).toEqual([502, 502, 201]);
  });

  it('throws a GitHubError when the comment cannot be posted', async () => {
    await expect(ProgressComment.create(options({ issueNumber: 404 }))).rejects.toBeInstanceOf(GitHubError);
  });
});

describe('editing', () => {
  it('coalesces edits to one per interval and always flushes the last state', async () => {
    const progress = await ProgressComment.create(options({ intervalMs: 250 }));
    const started = Date.now();
    const events = workingEvents();
    for (let i = 0; i < 60; i++) {
      progress.sink(events[i % events.length]!);
      progress.sink({ type: 'notice', level: 'warning', message: `step ${i}` });
      await sleep(10);
    }
    const elapsed = Date.now() - started;
    const during = patches().length;
    expect(during).toBeGreaterThanOrEqual(2);
    expect(during).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 1);
    for (const event of endEvents()) progress.sink(event);
    await expect(progress.finalize()).resolves.toBe(true);
    const body = onlyComment().body;
    expect(readStatusMarker(body)).toBe('done');
    expect(body).toContain('step 59');
    expect(body).toContain('#### Summary');
    expect(warnings).toEqual([]);
  });

  it('skips an edit when nothing visible changed', async () => {
    const progress = await ProgressComment.create(options());
    await progress.flush();
    expect(patches()).toHaveLength(0);
  });

  it('retries a 502 on an edit (PATCH is idempotent)', async () => {
    const progress = await ProgressComment.create(options());
    gh.fail({ match: (r) => r.method === 'PATCH', status: 502, times: 1 });
    progress.sink(workingEvents()[0]!);
    await progress.flush();
    expect(patches().map((r) => r.status)).toEqual([502, 200]);
    expect(warnings).toEqual([]);
  });

  it('survives an edit that fails after all retries; a later edit succeeds', async () => {
    const octokit = createOctokit(TOKEN, {
      baseUrl: gh.url,
      retryWaitScale: 1,
      writeSpacingMs: 0,
      retries: 1,
      log: captureLog(),
    });
    const progress = await ProgressComment.create(options({ octokit }));
    gh.fail({ match: (r) => r.method === 'PATCH', status: 502, times: 2 });
    progress.sink(workingEvents()[0]!);
    await vi.waitFor(() => expect(warnings).toHaveLength(1), { timeout: 3000 });
    expect(warnings[0]).toMatch(/^Could not update the progress comment: /);
    for (const event of [...workingEvents(), ...endEvents()]) progress.sink(event);
    await expect(progress.finalize()).resolves.toBe(true);
    expect(patches().map((r) => r.status)).toEqual([502, 502, 200]);
    expect(readStatusMarker(onlyComment().body)).toBe('done');
  });

  it('never sends a secret in any request', async () => {
    const progress = await ProgressComment.create(options());
    const leaky: AgentEvent[] = [
      { type: 'run_start', model: 'm', prompt: '', at: Date.now() },
      {
        type: 'tool_start',
        turn: 1,
        id: 'x',
        name: 'bash',
        preview: `curl -H "x-api-key: ${API_KEY}"`,
        at: Date.now(),
      },
      {
        type: 'notice',
        level: 'warning',
        message: `token ${TOKEN} and ghp_${'a'.repeat(36)} github_pat_${'b'.repeat(40)}`,
      },
      { type: 'notice', level: 'error', message: `sk-ant-admin01-${'c'.repeat(30)}` },
    ];
    for (const event of leaky) progress.sink(event);
    await progress.flush();
    progress.sink({
      ...endEvents().at(-1)!,
      type: 'run_end',
      summary: `Used ${API_KEY} and ${TOKEN}`,
    } as AgentEvent);
    await progress.finalize();
    expect(patches().length).toBeGreaterThanOrEqual(2);
    for (const request of gh.requests) {
      expect(request.body).not.toContain(API_KEY);
      expect(request.body).not.toContain(TOKEN);
      expect(request.body).not.toMatch(/ghp_a|github_pat_b|sk-ant-admin/);
      expect(request.path + JSON.stringify(request.query)).not.toContain(TOKEN);
    }
    const bodies = patches().map((r) => (r.json as { body: string }).body);
    expect(bodies.some((b) => b.includes('`curl -H "x-api-key: ***"`'))).toBe(true);
    expect(onlyComment().body).toContain('> ⚠️ token \\*\\*\\* and \\*\\*\\* \\*\\*\\*');
  });

  it('keeps the body under the limit with a huge board', async () => {
    const progress = await ProgressComment.create(options());
    const tasks = Array.from({ length: 5000 }, (_, i) => ({
      id: `task-${i}`,
      subject: 'A very long subject that goes on and on '.repeat(4),
      status: 'pending' as const,
      owner: 'worker',
      blockedBy: ['task-1', 'task-2', 'task-3'],
    }));
    progress.sink({ type: 'task', action: 'created', task: tasks[0]!, tasks });
    await progress.flush();
    const [patch] = patches();
    expect(patch?.status).toBe(200);
    expect((patch?.json as { body: string }).body.length).toBeLessThan(65_536);
  });
});

describe('finalize', () => {
  it('marks a run that got no run_end with the given status', async () => {
    const progress = await ProgressComment.create(options({ intervalMs: 60_000 }));
    for (const event of workingEvents()) progress.sink(event);
    await expect(progress.finalize('cancelled')).resolves.toBe(true);
    expect(readStatusMarker(onlyComment().body)).toBe('cancelled');
    expect(progress.finalize('failed')).toBe(progress.finalize());
  });

  it('bypasses the interval and writes the final state once', async () => {
    const progress = await ProgressComment.create(options({ intervalMs: 60_000 }));
    progress.sink(workingEvents()[0]!);
    await sleep(20);
    for (const event of [...workingEvents(), ...endEvents()]) progress.sink(event);
    await progress.finalize();
    progress.sink({ type: 'notice', level: 'warning', message: 'after the end' });
    await sleep(50);
    expect(patches()).toHaveLength(2);
    expect(readStatusMarker(onlyComment().body)).toBe('done');
    expect(progress.state.notices.at(-1)?.message).toBe('after the end');
  });

  it('returns within its timeout when GitHub hangs', async () => {
    const progress = await ProgressComment.create(options({ finalizeTimeoutMs: 1000 }));
    gh.fail({ match: (r) => r.method === 'PATCH', delayMs: 3000, times: 5 });
    for (const event of workingEvents()) progress.sink(event);
    const started = Date.now();
    await expect(progress.finalize('cancelled')).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(1500);
  }, 10_000);
});

describe('markCancelledIfUnfinished', () => {
  it('marks a comment that is still working as cancelled and keeps the rest', async () => {
    const progress = await ProgressComment.create(options());
    for (const event of workingEvents()) progress.sink(event);
    await progress.flush();
    const before = onlyComment().body;
    await expect(markCancelledIfUnfinished(fastOctokit(gh), REPO, 1, RUN_ID)).resolves.toBe('marked');
    const after = onlyComment().body;
    expect(readStatusMarker(after)).toBe('cancelled');
    expect(after.replace('status=cancelled -->**⏹ Cancelled**', 'status=working -->**⏳ Working**')).toBe(
      before,
    );
    await expect(markCancelledIfUnfinished(fastOctokit(gh), REPO, 1, RUN_ID)).resolves.toBe('finished');
  });

  it('leaves a finished comment alone', async () => {
    const progress = await ProgressComment.create(options());
    for (const event of [...workingEvents(), ...endEvents()]) progress.sink(event);
    await progress.finalize();
    const count = patches().length;
    await expect(markCancelledIfUnfinished(fastOctokit(gh), REPO, 1, RUN_ID)).resolves.toBe('finished');
    expect(patches()).toHaveLength(count);
  });

  it('reports a missing comment', async () => {
    await expect(markCancelledIfUnfinished(fastOctokit(gh), REPO, 1, RUN_ID)).resolves.toBe('not_found');
  });
});

describe('heldUntilOpen', () => {
  const note = (message: string): AgentEvent => ({ type: 'notice', level: 'info', message });
  const opened = () => {
    const seen: string[] = [];
    let open!: (comment: { sink: (e: AgentEvent) => void } | undefined) => void;
    const opening = new Promise<{ sink: (e: AgentEvent) => void } | undefined>((resolve) => (open = resolve));
    const comment = { sink: (e: AgentEvent) => seen.push(e.type === 'notice' ? e.message : e.type) };
    return { seen, opening, open: () => open(comment), fail: () => open(undefined) };
  };

  it('holds the events sent before the comment exists and hands them over in order', async () => {
    const c = opened();
    const sink = heldUntilOpen(c.opening);
    sink(note('one'));
    sink(note('two'));
    expect(c.seen).toEqual([]);
    c.open();
    await c.opening;
    expect(c.seen).toEqual(['one', 'two']);
    sink(note('three'));
    expect(c.seen).toEqual(['one', 'two', 'three']);
  });

  it('drops the events when no comment could be created, and when opening rejects', async () => {
    const c = opened();
    const sink = heldUntilOpen(c.opening);
    sink(note('one'));
    c.fail();
    await c.opening;
    sink(note('two'));
    expect(c.seen).toEqual([]);

    const rejected = Promise.reject(new Error('boom'));
    const other = heldUntilOpen(rejected);
    other(note('x'));
    await rejected.catch(() => undefined);
    expect(() => other(note('y'))).not.toThrow();
  });
});
