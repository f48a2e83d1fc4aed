import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  useScenario,
  ISSUE,
  issueCommentPayload,
  writesOf,
  type Scenario,
} from '../support/action-scenario.js';
import { apiError } from '../support/anthropic-emulator.js';
import { requireDist } from '../support/dist.js';
import { readStatusMarker } from '../../src/github/markers.js';

/** Runs that cannot start or cannot finish: bad inputs, a bad event payload, a model outage. */

beforeAll(() => requireDist());

const payload = () => issueCommentPayload('/agent fix the spelling in README.md');

/** The `::error::` annotations, decoded as the runner shows them. */
const errorsOf = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('::error::'))
    .map((line) =>
      line.slice('::error::'.length).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'),
    );

describe.concurrent('invalid inputs fail the step before any request', () => {
  it.for([
    { input: 'max-turns', value: 'abc', message: 'Input "max-turns" must be a whole number (got "abc")' },
    {
      input: 'max-cost-usd',
      value: '-1',
      message: 'Input "max-cost-usd" must be a non-negative number (got "-1")',
    },
  ])('$input: $value', async ({ input, value, message }, { onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    const run = await s.run({ eventName: 'issue_comment', payload: payload(), inputs: { [input]: value } });
    expect(run.code).toBe(1);
    expect(errorsOf(run.stdout)).toEqual([`taskpilot: ${message}`]);
    expect(s.gh.requests).toEqual([]);
    expect(s.api.requests).toEqual([]);
  });

  it('names every bad input at once', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    const run = await s.run({
      eventName: 'issue_comment',
      payload: payload(),
      inputs: { 'max-turns': '0', 'progress-interval-seconds': 'soon', 'tasks-dir': '../outside' },
    });
    expect(run.code).toBe(1);
    const [error] = errorsOf(run.stdout);
    expect(error).toContain('Input "max-turns" must be at least 1');
    expect(error).toContain('Input "progress-interval-seconds" must be a non-negative number');
    expect(error).toContain('Input "tasks-dir" must stay inside the workspace');
    expect(s.gh.requests).toEqual([]);
    expect(s.api.requests).toEqual([]);
  });
});

describe.concurrent('a malformed event payload fails the step with a clear error', () => {
  async function runWithEventFile(s: Scenario, content: string) {
    const eventPath = path.join(s.scratch, 'event.json');
    await writeFile(eventPath, content);
    const run = await s.run({
      eventName: 'issue_comment',
      payload: {},
      env: { GITHUB_EVENT_PATH: eventPath },
    });
    return { run, eventPath };
  }

  it('invalid JSON: exit 1, nothing sent', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    const { run } = await runWithEventFile(s, '{"action": "created", "comment": {');
    expect(run.code).toBe(1);
    expect(s.gh.requests).toEqual([]);
    expect(s.api.requests).toEqual([]);
  });

  // @actions/github parses the event file when imported; taskpilot must not import it, or a bad
  // payload would kill the step with a bare SyntaxError before it can say what is wrong.
  it('invalid JSON: an ::error:: annotation names the event file', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    const { run, eventPath } = await runWithEventFile(s, '{"action": "created", "comment": {');
    expect(errorsOf(run.stdout)).toEqual([`taskpilot: The event payload at ${eventPath} is not valid JSON`]);
  });

  it('a payload missing the fields its event needs', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    const broken = payload();
    delete broken.comment;
    const run = await s.run({ eventName: 'issue_comment', payload: broken });
    expect(run.code).toBe(1);
    const [error, ...more] = errorsOf(run.stdout);
    expect(more).toEqual([]);
    expect(error).toMatch(/^taskpilot: The issue_comment event payload is malformed at comment: /);
    expect(s.gh.requests).toEqual([]);
    expect(s.api.requests).toEqual([]);
  });
});

describe.concurrent('a model outage fails the run and says why', () => {
  it('500 on every attempt: the SDK retries, then ❌ with the reason', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    s.api.respond(() =>
      apiError(500, 'Internal server error (emulated outage)', { headers: { 'retry-after-ms': '20' } }),
    );
    const run = await s.run({ eventName: 'issue_comment', payload: payload() });
    expect(run.code).toBe(1);
    expect(run.outputs['conclusion']).toBe('failure');
    expect(run.outputs['turns']).toBe('1');
    // The first attempt and the client's 4 retries.
    expect(s.api.requests).toHaveLength(5);
    const [comment] = s.comments(ISSUE);
    expect(readStatusMarker(comment!.body)).toBe('failed');
    expect(comment!.body).toContain('**❌ Failed**');
    expect(comment!.body).toMatch(/> ❗ .*500.*emulated outage/);
    expect(errorsOf(run.stdout).at(-1)).toMatch(/^taskpilot: the run failed: .*emulated outage/);
    expect(run.summary).toContain('❌ Failed');
    expect(writesOf(run.github).filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('401: not retried, ❌ with the reason, the key not shown', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    s.api.respond(() => apiError(401, `invalid x-api-key ${s.anthropicKey}`));
    const run = await s.run({ eventName: 'issue_comment', payload: payload() });
    expect(run.code).toBe(1);
    expect(run.outputs['conclusion']).toBe('failure');
    expect(s.api.requests).toHaveLength(1);
    const [comment] = s.comments(ISSUE);
    expect(readStatusMarker(comment!.body)).toBe('failed');
    expect(comment!.body).toContain('**❌ Failed**');
    expect(comment!.body).toMatch(/> ❗ .*(401|invalid x-api-key)/);
    expect(comment!.body).not.toContain(s.anthropicKey);
    expect(run.summary).not.toContain(s.anthropicKey);
  });
});
