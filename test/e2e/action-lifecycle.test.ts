import type { ChildProcess } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  useScenario,
  ISSUE,
  REPO,
  issueCommentPayload,
  isAlive,
  pidFile,
  waitFor,
  writesOf,
} from '../support/action-scenario.js';
import { delayed, hang, text, toolUse } from '../support/anthropic-emulator.js';
import { requireDist } from '../support/dist.js';
import { readStatusMarker } from '../../src/github/markers.js';

/**
 * The progress comment over a run's life: throttled edits, a failing edit, cancellation by
 * signal, and the post step that finalizes a comment the main step could not.
 */

beforeAll(() => requireDist());

const payload = () => issueCommentPayload('/agent fix the spelling in README.md');
const commentPath = new RegExp(`^/repos/${REPO}/issues/comments/\\d+$`);
const turnsIn = (body: string): number => Number(/<sub>(\d+) turns?/.exec(body)?.[1] ?? NaN);

/** Sends `signal` to the child once `ready` resolves; records when. */
function signalWhen(ready: () => Promise<unknown>, signal: NodeJS.Signals) {
  const sent = { at: 0 };
  const onSpawn = (child: ChildProcess): void => {
    void ready().then(() => {
      sent.at = Date.now();
      child.kill(signal);
    });
  };
  return { sent, onSpawn };
}

describe.concurrent('the progress comment', () => {
  it('coalesces the edits of ~10 quick turns to one per progress-interval-seconds', async ({
    onTestFinished,
  }) => {
    const s = await useScenario(onTestFinished);
    const turns = 10;
    for (let i = 1; i <= turns; i++) {
      s.api.script(delayed(600, [toolUse('bash', { command: `echo step ${i}` })]));
    }
    s.api.script(delayed(600, [text('All ten steps done.')]));
    const run = await s.run({
      eventName: 'issue_comment',
      payload: payload(),
      inputs: { 'progress-interval-seconds': '2' },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs['turns']).toBe(String(turns + 1));

    const posts = run.github.filter((r) => r.method === 'POST');
    const patches = run.github.filter((r) => r.method === 'PATCH');
    expect(posts).toHaveLength(1);
    expect(patches.every((r) => commentPath.test(r.path) && r.status === 200)).toBe(true);
    // The writer starts an edit at most once per interval (2 s), and writes the final state once
    // more, ignoring the interval: over T ms between the comment's creation and the end, at most
    // floor(T / 2000) + 1 interval edits plus the final one. T is less than the process's wall
    // time. (Each turn emits at least 4 events, so an edit per event would be 40+.)
    const bound = Math.floor(run.ms / 2000) + 2;
    expect(patches.length).toBeLessThanOrEqual(bound);
    expect(patches.length).toBeLessThan(turns);
    // …and it does show progress while working: at least one edit between the first and the last.
    expect(patches.length).toBeGreaterThanOrEqual(3);
    const bodies = patches.map((r) => (r.json as { body: string }).body);
    const working = bodies.filter((b) => readStatusMarker(b) === 'working');
    expect(working.map(turnsIn).some((n) => n >= 2 && n <= turns)).toBe(true);
    const counts = bodies.map(turnsIn);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));

    const [comment, ...others] = s.comments(ISSUE);
    expect(others).toEqual([]);
    expect(comment!.body).toBe(bodies.at(-1));
    expect(readStatusMarker(comment!.body)).toBe('done');
    expect(comment!.body).toContain('**✅ Done**');
    expect(comment!.body).toContain('All ten steps done.');
    expect(comment!.body).toContain(`<sub>${turns + 1} turns`);
    expect(comment!.body).not.toContain('⏳');
  });

  it('survives a 502 on an edit, including the final one', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    const first = s.gh.fail({ match: (r) => r.method === 'PATCH', status: 502 });
    const final = s.gh.fail({
      match: (r) => r.method === 'PATCH' && JSON.stringify(r.json).includes('status=done'),
      status: 502,
    });
    s.api.script([toolUse('bash', { command: 'echo checking' })], text('Spelling fixed.'));
    const run = await s.run({ eventName: 'issue_comment', payload: payload() });
    expect(run.code).toBe(0);
    expect(run.outputs['conclusion']).toBe('success');
    expect([first.hits, final.hits]).toEqual([1, 1]);
    expect(run.github.filter((r) => r.status === 502)).toHaveLength(2);
    const [comment, ...others] = s.comments(ISSUE);
    expect(others).toEqual([]);
    expect(readStatusMarker(comment!.body)).toBe('done');
    expect(comment!.body).toContain('Spelling fixed.');
    expect(comment!.body).toContain('<sub>2 turns');
  });

  it('a slow comment POST does not hold up the agent, and the comment still gets every event', async ({
    onTestFinished,
  }) => {
    const s = await useScenario(onTestFinished);
    const isPost = (r: { method: string; path: string }) =>
      r.method === 'POST' && r.path === `/repos/${REPO}/issues/${ISSUE}/comments`;
    // The emulator creates the comment at once and answers 3 s later (it records the request then).
    s.gh.fail({ match: isPost, delayMs: 3000 });
    let answeredBeforeModel: boolean | undefined;
    let turn = 0;
    s.api.respond(() => {
      answeredBeforeModel ??= s.gh.requests.some(isPost);
      turn += 1;
      return turn === 1 ? [toolUse('bash', { command: 'echo checking' })] : text('Spelling fixed.');
    });
    const run = await s.run({ eventName: 'issue_comment', payload: payload() });
    expect(run.code).toBe(0);
    expect(answeredBeforeModel).toBe(false);
    const [comment, ...others] = s.comments(ISSUE);
    expect(others).toEqual([]);
    expect(readStatusMarker(comment!.body)).toBe('done');
    expect(comment!.body).toContain('Spelling fixed.');
    expect(comment!.body).toContain('<sub>2 turns');
  });
});

describe.concurrent('cancellation', () => {
  it('SIGTERM during a foreground command with a background job running: ⏹, no orphans', async ({
    onTestFinished,
  }) => {
    const s = await useScenario(onTestFinished);
    // The pids go outside the workspace, so that they are not part of the run's work.
    const pids = s.scratch;
    s.api.script(
      [toolUse('bash', { command: `echo $$ > ${pids}/bg.pid; sleep 30`, run_in_background: true })],
      [
        toolUse('bash', {
          command: `echo $$ > ${pids}/fg.pid; sleep 30 & echo $! > ${pids}/fg-child.pid; wait`,
        }),
      ],
    );
    const { sent, onSpawn } = signalWhen(
      () => Promise.all([pidFile(pids, 'bg.pid'), pidFile(pids, 'fg-child.pid')]),
      'SIGTERM',
    );
    const run = await s.run({ eventName: 'issue_comment', payload: payload(), onSpawn });
    const exitedAfter = Date.now() - sent.at;
    expect(sent.at).toBeGreaterThan(0);
    expect(exitedAfter).toBeLessThan(7000);
    expect(run.code).toBe(1);
    expect(run.outputs['conclusion']).toBe('cancelled');
    expect(run.stdout).toContain('received SIGTERM');
    const [comment] = s.comments(ISSUE);
    expect(readStatusMarker(comment!.body)).toBe('cancelled');
    expect(comment!.body).toContain('**⏹ Cancelled**');
    expect(comment!.body).toMatch(/\| `bg_1` \|.*\| ⏹ killed \|/);

    const started = await Promise.all(['bg.pid', 'fg.pid', 'fg-child.pid'].map((f) => pidFile(pids, f)));
    // The process groups are killed before the step exits; give init a moment to reap.
    await waitFor('the agent processes to be gone', () => started.every((pid) => !isAlive(pid)), 2000).catch(
      () => undefined,
    );
    expect(started.filter(isAlive)).toEqual([]);
  });

  it('SIGINT while the model request hangs: ⏹ cancelled within seconds', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    s.api.script(hang());
    const { sent, onSpawn } = signalWhen(
      () =>
        waitFor(
          'the hanging model request and the comment',
          () => s.api.requests.length >= 1 && s.gh.requestsTo('POST', /\/comments$/).length === 1,
        ),
      'SIGINT',
    );
    const run = await s.run({ eventName: 'issue_comment', payload: payload(), onSpawn });
    expect(Date.now() - sent.at).toBeLessThan(7000);
    expect(run.code).toBe(1);
    expect(run.outputs['conclusion']).toBe('cancelled');
    const [comment] = s.comments(ISSUE);
    expect(readStatusMarker(comment!.body)).toBe('cancelled');
    expect(comment!.body).toContain('**⏹ Cancelled**');
    expect(run.summary).toContain('⏹ Cancelled');
  });
});

describe.concurrent('the post step', () => {
  it('marks the comment ⏹ cancelled after the main step was killed with SIGKILL', async ({
    onTestFinished,
  }) => {
    const s = await useScenario(onTestFinished);
    s.api.script([toolUse('bash', { command: 'echo one' })], hang());
    const { onSpawn } = signalWhen(
      () =>
        waitFor(
          'turn 2 to hang after an edit',
          () => s.api.requests.length >= 2 && s.gh.requestsTo('PATCH', commentPath).length >= 1,
        ),
      'SIGKILL',
    );
    const main = await s.run({ eventName: 'issue_comment', payload: payload(), onSpawn });
    expect(main.signal).toBe('SIGKILL');
    expect(main.outputs).toEqual({});
    const [killed] = s.comments(ISSUE);
    expect(readStatusMarker(killed!.body)).toBe('working');

    const post = await s.run({ eventName: 'issue_comment', payload: payload(), state: main.state });
    expect(post.code).toBe(0);
    expect(post.modelRequests).toBe(0);
    expect(writesOf(post.github).map((r) => `${r.method} ${r.path}`)).toEqual([
      `PATCH /repos/${REPO}/issues/comments/${killed!.id}`,
    ]);
    const [comment, ...others] = s.comments(ISSUE);
    expect(others).toEqual([]);
    expect(readStatusMarker(comment!.body)).toBe('cancelled');
    expect(comment!.body).toContain('**⏹ Cancelled**');
    expect(comment!.body).not.toContain('⏳ Working');
    expect(post.stdout).toContain('marked cancelled');
  });

  it('finishes the cancel when the main step could not write its final comment in time', async ({
    onTestFinished,
  }) => {
    const s = await useScenario(onTestFinished);
    s.api.script([toolUse('bash', { command: 'echo one' })], hang());
    const { onSpawn } = signalWhen(
      () =>
        waitFor('turn 2 to hang, after the progress comment exists', () => {
          if (s.api.requests.length < 2 || s.comments(ISSUE).length === 0) return false;
          // From now on GitHub fails every comment edit: the final ⏹ cannot be written.
          s.gh.fail({ match: (r) => r.method === 'PATCH', status: 502, times: 100 });
          return true;
        }),
      'SIGINT',
    );
    const main = await s.run({ eventName: 'issue_comment', payload: payload(), onSpawn });
    expect(main.outputs['conclusion']).toBe('cancelled');
    expect(main.state['finished']).toBeUndefined();
    const [stuck] = s.comments(ISSUE);
    expect(readStatusMarker(stuck!.body)).toBe('working');

    s.gh.clearFaults();
    const post = await s.run({ eventName: 'issue_comment', payload: payload(), state: main.state });
    expect(post.code).toBe(0);
    const [comment, ...others] = s.comments(ISSUE);
    expect(others).toEqual([]);
    expect(readStatusMarker(comment!.body)).toBe('cancelled');
  });

  it('leaves the comment alone after a normal finish', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    s.api.script(text('Spelling fixed.'));
    const main = await s.run({ eventName: 'issue_comment', payload: payload() });
    expect(main.code).toBe(0);
    const before = s.comments(ISSUE);
    expect(readStatusMarker(before[0]!.body)).toBe('done');

    const post = await s.run({ eventName: 'issue_comment', payload: payload(), state: main.state });
    expect(post.stderr).toBe('');
    expect(post.code).toBe(0);
    expect(writesOf(post.github)).toEqual([]);
    expect(post.modelRequests).toBe(0);
    expect(s.comments(ISSUE)).toEqual(before);
  });
});
