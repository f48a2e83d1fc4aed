import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPLY_MARKER, controlCommand, runControl } from '../../src/action/control.js';
import { GitHubError } from '../../src/github/errors.js';
import { progressMarker, type MarkedStatus } from '../../src/github/markers.js';
import { createRedactor } from '../../src/github/redact.js';
import { statusHead } from '../../src/github/render.js';
import { encodeResumeState } from '../../src/github/resume-state.js';
import { evaluateTrigger, type Trigger, type TriggerConfig } from '../../src/github/trigger.js';
import { commentPayload, contextFor, example } from '../github/fixtures.js';
import { FULL, REPO, TOKEN, fastOctokit, startEmulator } from '../github/helpers.js';
import type { GitHubEmulator } from '../support/github-emulator.js';

const config: TriggerConfig = {
  triggerPhrase: '/agent',
  triggerLabel: 'agent',
  prompt: undefined,
  progressIssue: undefined,
};

function trigger(eventName: string, payload: unknown): Trigger {
  const decision = evaluateTrigger(contextFor(eventName, payload), config);
  if (decision.type !== 'trigger') throw new Error(`not a trigger: ${decision.reason}`);
  return decision;
}

const comment = (body: string) => trigger('issue_comment', commentPayload(body));

describe('controlCommand', () => {
  it.each([
    ['/agent stop', 'stop'],
    ['/agent   Stop.', 'stop'],
    ['/agent stop!', 'stop'],
    ['/agent status', 'status'],
    ['/agent STATUS', 'status'],
  ])('%j is %s', (body, command) => {
    expect(controlCommand(comment(body))).toBe(command);
  });

  it.each(['/agent stop the flaky test', '/agent what is the status of #3?', '/agent', '/agent stopping'])(
    '%j is a request, not a command',
    (body) => {
      expect(controlCommand(comment(body))).toBeNull();
    },
  );

  it('is a command in a review comment too', () => {
    const payload = example('pull_request_review_comment', 'created');
    payload.comment = { ...payload.comment, body: '/agent status' };
    expect(controlCommand(trigger('pull_request_review_comment', payload))).toBe('status');
  });

  it('is never a command for a label run, whatever the title says', () => {
    const payload = example('issues', 'labeled');
    payload.label = { ...payload.label, name: 'agent' };
    payload.issue = { ...payload.issue, title: 'stop', body: '' };
    expect(controlCommand(trigger('issues', payload))).toBeNull();
  });

  it('its replies never trigger a run', () => {
    const reply = commentPayload(`${REPLY_MARKER}\n/agent stop`);
    expect(evaluateTrigger(contextFor('issue_comment', reply), config)).toMatchObject({ type: 'skip' });
  });
});

describe('runControl', () => {
  let gh: GitHubEmulator;
  const redact = createRedactor([TOKEN]);
  beforeEach(async () => {
    gh = await startEmulator();
    gh.addIssue(FULL, { title: 'Work' });
  });
  afterEach(() => gh.close());

  const progress = (runId: number, status: MarkedStatus | null, hidden = '') =>
    gh.addComment(FULL, 1, {
      user: 'github-actions[bot]',
      body: `${progressMarker(runId)}\n${status ? statusHead(status) : '**?**'} · 3m${hidden ? `\n\n${hidden}` : ''}`,
    });
  const urlOf = (id: number) => `https://github.com/${FULL}/issues/1#issuecomment-${id}`;
  const replies = () => gh.comments(FULL, 1).filter((c) => c.body.startsWith(REPLY_MARKER));

  it('stop: cancels the run whose progress comment is working, and says so once', async () => {
    const working = progress(900, 'working');
    const reply = await runControl('stop', fastOctokit(gh), REPO, 1, redact);
    expect(gh.cancelledRuns).toEqual([900]);
    expect(reply).toBe(
      `⏹ Stopping taskpilot run 900 ([progress](${urlOf(working.id)})). Its work so far is pushed.`,
    );
    expect(replies().map((c) => c.body)).toEqual([`${REPLY_MARKER}\n${reply}`]);
  });

  it.each<[string, MarkedStatus | null]>([
    ['finished', 'done'],
    ['cancelled', 'cancelled'],
    ['without a status marker', null],
  ])('stop: cancels nothing when the latest run is %s', async (_, status) => {
    progress(900, status);
    const reply = await runControl('stop', fastOctokit(gh), REPO, 1, redact);
    expect(gh.cancelledRuns).toEqual([]);
    expect(reply).toBe('No taskpilot run is in progress on this thread.');
    expect(replies()).toHaveLength(1);
  });

  it('stop: cancels nothing on a thread taskpilot never reported on', async () => {
    gh.addComment(FULL, 1, { body: 'please stop', user: 'octocat' });
    await expect(runControl('stop', fastOctokit(gh), REPO, 1, redact)).resolves.toBe(
      'No taskpilot run is in progress on this thread.',
    );
    expect(gh.cancelledRuns).toEqual([]);
  });

  it.each([
    [403, 'GitHub refused (403); the workflow needs the `actions: write` permission.'],
    [409, 'GitHub says it has already finished.'],
  ])('stop: a refused cancel (%i) is answered on the thread, then thrown', async (status, hint) => {
    const working = progress(900, 'working');
    gh.route('POST', '/repos/:owner/:repo/actions/runs/:id/cancel', () => ({
      status,
      body: { message: status === 403 ? 'Resource not accessible by integration' : 'Cannot cancel' },
    }));
    const error = await runControl('stop', fastOctokit(gh), REPO, 1, redact).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).toMatchObject({ status });
    expect(replies().map((c) => c.body)).toEqual([
      `${REPLY_MARKER}\nCould not stop taskpilot run 900 ([progress](${urlOf(working.id)})): ${hint}`,
    ]);
  });

  it('status: the latest run’s state with its task count, and a link', async () => {
    progress(899, 'done');
    const at = '2026-11-24T06:00:00.000Z';
    const task = (id: string, status: 'completed' | 'in_progress' | 'pending') => ({
      id,
      subject: id,
      description: '',
      status,
      owner: status === 'pending' ? null : 'taskpilot',
      blockedBy: [],
      createdAt: at,
      updatedAt: at,
    });
    const state = encodeResumeState(
      {
        runId: 900,
        status: 'budget',
        summary: null,
        finishedAt: at,
        tasks: [task('t1', 'completed'), task('t2', 'in_progress'), task('t3', 'pending')],
      },
      redact,
    );
    const latest = progress(900, 'budget', state);
    gh.addComment(FULL, 1, { body: `${REPLY_MARKER}\nan earlier reply`, user: 'github-actions[bot]' });
    const reply = await runControl('status', fastOctokit(gh), REPO, 1, redact);
    expect(reply).toBe(
      `Latest taskpilot run 900: **💸 Budget reached** · tasks 1/3 completed ([progress](${urlOf(latest.id)})).`,
    );
    expect(gh.cancelledRuns).toEqual([]);
    expect(replies()).toHaveLength(2);
  });

  it('status: a working run without a saved board, found behind a page of newer comments', async () => {
    const working = progress(901, 'working');
    for (let i = 0; i < 120; i++) gh.addComment(FULL, 1, { body: `chatter ${i}`, user: 'octocat' });
    await expect(runControl('status', fastOctokit(gh), REPO, 1, redact)).resolves.toBe(
      `Latest taskpilot run 901: **⏳ Working** ([progress](${urlOf(working.id)})).`,
    );
  });

  it('status: says when no run has reported yet', async () => {
    await expect(runControl('status', fastOctokit(gh), REPO, 1, redact)).resolves.toBe(
      'No taskpilot run has reported on this thread yet.',
    );
    expect(replies()).toHaveLength(1);
  });

  it('throws a GitHubError when the reply cannot be posted', async () => {
    gh.route('POST', '/repos/:owner/:repo/issues/:number/comments', () => ({
      status: 410,
      body: { message: 'Issues are disabled for this repo' },
    }));
    const error = await runControl('status', fastOctokit(gh), REPO, 1, redact).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).toMatchObject({ status: 410 });
  });

  // Anyone who can comment can plant a "working" progress comment naming
  // any workflow run of the repository: `/agent stop` must not cancel it.
  it('stop: ignores a progress comment someone else wrote', async () => {
    gh.addComment(FULL, 1, {
      user: 'mallory',
      body: `${progressMarker(31337)}\n${statusHead('working')}`,
    });
    await runControl('stop', fastOctokit(gh), REPO, 1, redact);
    expect(gh.cancelledRuns).toEqual([]);
  });

  it('stop: trusts a user’s progress comment when that user is the token’s own (a PAT)', async () => {
    gh.addComment(FULL, 1, { user: 'ci-user', body: `${progressMarker(902)}\n${statusHead('working')}` });
    await runControl('stop', fastOctokit(gh), REPO, 1, redact, 'ci-user');
    expect(gh.cancelledRuns).toEqual([902]);
  });
});
