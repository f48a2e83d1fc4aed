import { beforeAll, describe, expect, it } from 'vitest';
import {
  useScenario,
  ISSUE,
  PR,
  READER,
  REPO,
  RUN_ID,
  WRITER,
  issueCommentPayload,
  issuesPayload,
  pullRequestLabeledPayload,
  reviewCommentPayload,
  schedulePayload,
  workflowDispatchPayload,
  writesOf,
  type Scenario,
  type ScenarioRun,
} from '../support/action-scenario.js';
import { lastUserText, text } from '../support/anthropic-emulator.js';
import { requireDist } from '../support/dist.js';
import { progressMarker } from '../../src/github/markers.js';

/**
 * Which events start a run, and which are refused, as a user sees it: the built action against
 * the GitHub and Messages API emulators.
 */

beforeAll(() => requireDist());

/** The first user message the model received: the request and its context. */
function firstPrompt(s: Scenario): string {
  const body = s.api.requests[0]?.body;
  expect(body, 'the model was asked').toBeDefined();
  return lastUserText(body!);
}

/** A finished run: exit 0, success, one progress comment on `target` created once and finalized. */
function expectDoneOn(s: Scenario, run: ScenarioRun, target: number, summary: string): void {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.outputs['conclusion']).toBe('success');
  const posts = run.github.filter((r) => r.method === 'POST');
  expect(posts.map((r) => r.path)).toEqual([`/repos/${REPO}/issues/${target}/comments`]);
  const [comment, ...others] = s.comments(target);
  expect(others).toEqual([]);
  expect(comment!.body).toContain(progressMarker(RUN_ID));
  expect(comment!.body).toContain('**✅ Done**');
  expect(comment!.body).toContain(summary);
  expect(run.outputs['comment-id']).toBe(String(comment!.id));
  expect(run.outputs['comment-url']).toMatch(new RegExp(`/${target}#issuecomment-${comment!.id}$`));
}

describe.concurrent('trigger rows: each starts a run', () => {
  it('issue_comment on an issue: "/agent …" from a writer', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    s.api.script(text('Fixed the spelling.'));
    const run = await s.run({
      eventName: 'issue_comment',
      payload: issueCommentPayload('/agent fix the spelling in README.md'),
    });
    expectDoneOn(s, run, ISSUE, 'Fixed the spelling.');
    const prompt = firstPrompt(s);
    expect(prompt).toContain(`@${WRITER} asked you, in a comment on issue #${ISSUE}`);
    expect(prompt).toContain('fix the spelling in README.md');
    expect(prompt).toContain('Spelling error in the README file');
    expect(run.summary).toContain('Fixed the spelling.');
    // The marker lookup, the resume state and the thread context share one listing.
    const listings = run.github.filter(
      (r) => r.method === 'GET' && r.path.endsWith(`/issues/${ISSUE}/comments`),
    );
    expect(listings).toHaveLength(1);
    // The base branch is the payload's default branch: the repository is not asked for it.
    expect(run.github.filter((r) => r.method === 'GET' && r.path === `/repos/${REPO}`)).toEqual([]);
  });

  it('issue_comment on a pull request', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    s.api.script(text('Reviewed the PR.'));
    const run = await s.run({
      eventName: 'issue_comment',
      payload: issueCommentPayload('Could you take a look? /agent review this', { onPullRequest: true }),
    });
    expectDoneOn(s, run, PR, 'Reviewed the PR.');
    expect(firstPrompt(s)).toContain(`in a comment on pull request #${PR}`);
    expect(s.comments(ISSUE)).toEqual([]);
  });

  it('pull_request_review_comment: the first request has the file, line and diff hunk', async ({
    onTestFinished,
  }) => {
    const s = await useScenario(onTestFinished);
    s.api.script(text('Renamed the variable.'));
    const hunk =
      '@@ -10,3 +10,4 @@ export function parse(input) {\n-  const tmp = input;\n+  const tmpValue = input;';
    const run = await s.run({
      eventName: 'pull_request_review_comment',
      payload: reviewCommentPayload('/agent rename tmpValue to parsed', {
        path: 'src/parse.ts',
        line: 11,
        diffHunk: hunk,
      }),
    });
    expectDoneOn(s, run, PR, 'Renamed the variable.');
    const prompt = firstPrompt(s);
    expect(prompt).toContain('rename tmpValue to parsed');
    expect(prompt).toContain('The comment is on src/parse.ts line 11');
    expect(prompt).toContain(hunk);
  });

  it('issues opened with the trigger label', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    s.api.script(text('Worked on the issue.'));
    const run = await s.run({ eventName: 'issues', payload: issuesPayload('opened', ['bug', 'Agent']) });
    expectDoneOn(s, run, ISSUE, 'Worked on the issue.');
    const prompt = firstPrompt(s);
    expect(prompt).toContain(`asked you to work on issue #${ISSUE}`);
    expect(prompt).toContain('Spelling error in the README file');
  });

  it('issues labeled with the trigger label', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    s.api.script(text('Worked on the labeled issue.'));
    const run = await s.run({ eventName: 'issues', payload: issuesPayload('labeled', ['agent'], 'agent') });
    expectDoneOn(s, run, ISSUE, 'Worked on the labeled issue.');
    expect(firstPrompt(s)).toContain(`asked you to work on issue #${ISSUE}`);
  });

  it('pull_request labeled with the trigger label', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    s.api.script(text('Worked on the PR.'));
    const run = await s.run({ eventName: 'pull_request', payload: pullRequestLabeledPayload('agent') });
    expectDoneOn(s, run, PR, 'Worked on the PR.');
    const prompt = firstPrompt(s);
    expect(prompt).toContain(`asked you to work on pull request #${PR}`);
    expect(prompt).toContain('Update the README with new information.');
  });

  it('schedule with a prompt runs without posting any comment', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    s.api.script(text('Nightly chores done.'));
    const run = await s.run({
      eventName: 'schedule',
      payload: schedulePayload(),
      inputs: { prompt: 'Update the changelog' },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs['conclusion']).toBe('success');
    expect(run.outputs['comment-id']).toBe('');
    expect(writesOf(run.github)).toEqual([]);
    expect(firstPrompt(s)).toContain('<request>\nUpdate the changelog\n</request>');
    expect(run.summary).toContain('Nightly chores done.');
  });

  it('workflow_dispatch with a prompt and progress-issue posts its comment on that issue', async ({
    onTestFinished,
  }) => {
    const s = await useScenario(onTestFinished);
    s.api.script(text('Dependencies updated.'));
    const run = await s.run({
      eventName: 'workflow_dispatch',
      payload: workflowDispatchPayload(),
      inputs: { prompt: 'Update the dependencies', 'progress-issue': String(ISSUE) },
    });
    expectDoneOn(s, run, ISSUE, 'Dependencies updated.');
    expect(firstPrompt(s)).toContain('Update the dependencies');
    // Dispatch runs are trusted: nobody's permission is looked up.
    expect(run.github.filter((r) => r.path.includes('/collaborators/'))).toEqual([]);
  });
});

/** A refused or ignored event: skipped, exit 0, nothing written anywhere, the model never asked. */
function expectSkipped(run: ScenarioRun, reason: RegExp): void {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.outputs['conclusion']).toBe('skipped');
  expect(run.outputs['turns']).toBe('0');
  expect(run.outputs['comment-id']).toBe('');
  expect(writesOf(run.github)).toEqual([]);
  expect(run.modelRequests).toBe(0);
  expect(run.stdout).toMatch(/^::notice::taskpilot skipped: /m);
  expect(run.stdout).toMatch(reason);
}

describe.concurrent('refusals: skipped, exit 0, no writes, no model requests', () => {
  it('a user with read access', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    const run = await s.run({
      eventName: 'issue_comment',
      payload: issueCommentPayload('/agent delete everything', { login: READER }),
    });
    expectSkipped(run, /octo-reader has read access; write, maintain or admin is required/);
    // The refusal rests on the permission API, not on the payload's author_association. (An
    // installation token such as this one cannot say who it is: GET /user is not asked.)
    expect(run.github.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /repos/${REPO}/collaborators/${READER}/permission`,
    ]);
  });

  it('a user who is not a collaborator', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    const run = await s.run({
      eventName: 'issue_comment',
      payload: issueCommentPayload('/agent do it', { login: 'drive-by' }),
    });
    expectSkipped(run, /drive-by is not a collaborator/);
  });

  it('a bot sender, even one with write access', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    s.gh.setPermission(REPO, 'renovate[bot]', 'write');
    const run = await s.run({
      eventName: 'issue_comment',
      payload: issueCommentPayload('/agent bump the lockfile', { login: 'renovate[bot]', type: 'Bot' }),
    });
    expectSkipped(run, /renovate\[bot\] is a bot and is not listed in allowed-bots/);
    expect(run.github).toEqual([]);
  });

  it("the action's own comment (it carries the taskpilot marker)", async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    const body = `${progressMarker(99)}\n<!-- taskpilot:status=done -->**✅ Done**\n\nRan /agent as asked.`;
    const run = await s.run({ eventName: 'issue_comment', payload: issueCommentPayload(body) });
    expectSkipped(run, /was written by taskpilot/);
    expect(run.github).toEqual([]);
  });

  it('a label other than the trigger label', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    const issue = await s.run({ eventName: 'issues', payload: issuesPayload('labeled', ['bug'], 'bug') });
    expectSkipped(issue, /label "bug" is not "agent"/);
    const pr = await s.run({ eventName: 'pull_request', payload: pullRequestLabeledPayload('bug') });
    expectSkipped(pr, /label "bug" is not "agent"/);
    expect(s.gh.requests).toEqual([]);
  });

  it('a comment without the trigger phrase', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    const run = await s.run({
      eventName: 'issue_comment',
      payload: issueCommentPayload('Thanks! Quoting the docs: `/agent` only works for writers.'),
    });
    expectSkipped(run, /does not contain "\/agent"/);
    expect(run.github).toEqual([]);
  });

  it('schedule without a prompt', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    const run = await s.run({ eventName: 'schedule', payload: schedulePayload() });
    expectSkipped(run, /a schedule run needs the "prompt" input/);
    expect(run.github).toEqual([]);
  });
});
