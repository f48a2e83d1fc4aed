import { beforeAll, describe, expect, it } from 'vitest';
import {
  useScenario,
  ISSUE,
  bodiesOf,
  issueCommentPayload,
  logWithoutMaskCommands,
} from '../support/action-scenario.js';
import { actionYml } from '../support/action-runner.js';
import { lastToolResults, text, toolUse } from '../support/anthropic-emulator.js';
import { requireDist } from '../support/dist.js';

/** What a run leaves behind: the step outputs, and no secret in anything that leaves the process. */

beforeAll(() => requireDist());

const scenario = (onTestFinished: (fn: () => Promise<void>) => void, githubToken?: string) =>
  useScenario(onTestFinished, githubToken === undefined ? {} : { githubToken });

const payload = () => issueCommentPayload('/agent plan and fix the spelling');

describe.concurrent('step outputs', () => {
  it('sets every output of action.yml, with usage, cost and the task board', async ({ onTestFinished }) => {
    const s = await scenario(onTestFinished);
    s.api.script(
      [
        toolUse('create_task', { subject: 'Find the misspelled words' }),
        toolUse('create_task', { subject: 'Fix them', blockedBy: ['t1'] }),
        toolUse('create_task', { subject: 'Update the changelog', blockedBy: ['t2'] }),
      ],
      [toolUse('claim_task', { task_id: 't1' })],
      [toolUse('complete_task', { task_id: 't1', result: 'two typos in README.md' })],
      [toolUse('claim_task', { task_id: 't2' })],
      [toolUse('complete_task', { task_id: 't2' })],
      text('Fixed two typos; the changelog is left for later.'),
    );
    const run = await s.run({ eventName: 'issue_comment', payload: payload() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(Object.keys(run.outputs).sort()).toEqual(Object.keys(actionYml.outputs).sort());

    const [comment] = s.comments(ISSUE);
    const usage = s.api.totals;
    // claude-sonnet-5-5: $2 / $10 per million input / output tokens; cache writes 1.25×, reads 0.1×.
    const cost =
      (2 *
        (usage.input_tokens +
          1.25 * usage.cache_creation_input_tokens +
          0.1 * usage.cache_read_input_tokens) +
        10 * usage.output_tokens) /
      1e6;
    expect(run.outputs).toMatchObject({
      conclusion: 'success',
      'comment-id': String(comment!.id),
      'comment-url': `https://github.com/Codertocat/Hello-World/issues/${ISSUE}#issuecomment-${comment!.id}`,
      turns: '6',
      'input-tokens': String(usage.input_tokens),
      'output-tokens': String(usage.output_tokens),
      'cache-read-tokens': String(usage.cache_read_input_tokens),
      'cache-write-tokens': String(usage.cache_creation_input_tokens),
      'cost-usd': cost.toFixed(4),
      'tasks-completed': '2',
      'tasks-total': '3',
    });
    expect(usage.output_tokens).toBeGreaterThan(0);
    expect(usage.cache_read_input_tokens).toBeGreaterThan(0);
    expect(Number(run.outputs['cost-usd'])).toBeGreaterThan(0);

    expect(comment!.body).toContain('Tasks · 2/3 done');
    expect(comment!.body).toContain('- [x] **t1** Find the misspelled words');
    expect(comment!.body).toContain('- [ ] **t3** Update the changelog');
    expect(run.summary).toContain('### Tasks · 2/3 done');
    expect(run.summary).toContain('two typos in README.md');
  });
});

describe.concurrent('secrets', () => {
  // Not shaped like any known token, so only the exact-value redaction can catch it.
  const githubToken = 'e2eOpaqueGitHubToken7c1d9b2a40f3';
  const otherKey = 'sk-ant-api03-e2eLeakCheck_0123456789abcdef';

  it('a secret a tool prints never reaches a comment, the summary, the log or a GitHub request', async ({
    onTestFinished,
  }) => {
    const s = await scenario(onTestFinished, githubToken);
    const secrets = [githubToken, otherKey, s.anthropicKey];
    s.api.script(
      [toolUse('bash', { command: 'echo "named=[$MY_SECRET] a=$PLAIN_A b=$PLAIN_B c=$PLAIN_C"' })],
      [
        // The model reuses what it saw: in a command (shown as the activity line) and a task.
        toolUse('bash', { command: `echo ${githubToken} ${otherKey} | wc -c` }),
        toolUse('create_task', { subject: `Rotate ${githubToken}` }),
      ],
    );
    // The final answer quotes the first command's output back.
    s.api.respond((request) => {
      const printed = request.body.messages
        .filter((m) => m.role === 'user')
        .map((m) => JSON.stringify(m.content))
        .find((c) => c.includes('named='));
      return text(`Done. The first command printed: ${printed ?? '(nothing)'}`);
    });
    const run = await s.run({
      eventName: 'issue_comment',
      payload: payload(),
      inputs: { 'progress-interval-seconds': '0' },
      env: {
        // A secret-looking name: removed from the commands' environment.
        MY_SECRET: githubToken,
        // Innocent names holding secrets: the commands see them, so only redaction protects.
        PLAIN_A: githubToken,
        PLAIN_B: otherKey,
        PLAIN_C: s.anthropicKey,
      },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    // The leak path was exercised: the model did receive the values it then repeated.
    const seen = JSON.stringify(lastToolResults(s.api.requests[1]!.body!));
    expect(seen).toContain('named=[]');
    expect(seen).toContain(`a=${githubToken}`);
    expect(seen).toContain(`b=${otherKey}`);

    const [comment] = s.comments(ISSUE);
    expect(comment!.body).toContain('The first command printed');
    expect(comment!.body).toMatch(/a=\*\*\* b=\*\*\* c=\*\*\*/);
    const everything = {
      'comment bodies sent': bodiesOf(s.gh.requests).join('\n'),
      'GitHub request bodies': s.gh.requests.map((r) => r.body).join('\n'),
      'final comment': comment!.body,
      'step summary': run.summary,
      outputs: JSON.stringify(run.outputs),
      'log (without ::add-mask::)': logWithoutMaskCommands(run.stdout),
    };
    for (const [where, content] of Object.entries(everything)) {
      for (const secret of secrets) expect(content.includes(secret), `${secret} in ${where}`).toBe(false);
    }
    // The log registers each secret with the runner's masker, and nothing else carries one.
    expect(run.stdout).toContain(`::add-mask::${githubToken}`);
    expect(run.stdout).toContain(`::add-mask::${s.anthropicKey}`);
  });
});
