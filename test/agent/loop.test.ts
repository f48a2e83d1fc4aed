import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runAgent, type RunAgentOptions } from '../../src/agent/loop.js';
import type { AgentEvent } from '../../src/agent/events.js';
import type { JobsPort } from '../../src/background/jobs-port.js';
import { ModelError, type Message, type ToolResultBlock } from '../../src/model/model-client.js';
import { defineTool, ToolError } from '../../src/tools/tool.js';
import { call, ScriptedModel, text, type Step } from './scripted-model.js';

const echo = defineTool({
  name: 'echo',
  description: 'echo',
  input: z.object({ say: z.string() }),
  preview: (i) => i.say,
  execute: (i) => Promise.resolve(`echo: ${i.say}`),
});
const broken = defineTool({
  name: 'broken',
  description: 'throws',
  input: z.object({ kind: z.enum(['tool', 'bug']) }),
  execute: (i) => {
    throw i.kind === 'tool' ? new ToolError('old_string not found in a.ts') : new TypeError('boom');
  },
});
const slow = defineTool({
  name: 'slow',
  description: 'waits until aborted',
  input: z.object({}),
  execute: (_i, ctx) =>
    new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('stopped'), { once: true })),
});

function setup(steps: Step[], extra: Partial<RunAgentOptions> = {}) {
  const model = new ScriptedModel(steps);
  const events: AgentEvent[] = [];
  const bugs: unknown[] = [];
  const run = runAgent({
    prompt: 'do the thing',
    system: 'sys',
    model,
    tools: [echo, broken, slow],
    emit: (e) => events.push(e),
    budget: { maxTurns: 10 },
    costOf: (_m, u) => ({ usd: u.inputTokens * 0.01, priced: true }),
    onBug: (e) => bugs.push(e),
    ...extra,
  });
  return { model, events, bugs, run };
}

const toolResults = (m: Message | undefined): ToolResultBlock[] =>
  m?.role === 'user' ? m.content.filter((b): b is ToolResultBlock => b.type === 'tool_result') : [];

describe('runAgent', () => {
  it('answers every tool_use with exactly one tool_result, in order, and ends done', async () => {
    const { model, run, events } = setup([
      { content: [text('plan'), call('echo', { say: 'a' }, 'id1'), call('echo', { say: 'b' }, 'id2')] },
      { content: [text('all done')] },
    ]);
    const result = await run;
    expect(result.reason).toBe('done');
    expect(result.summary).toBe('all done');
    const results = toolResults(model.requests[1]?.messages.at(-1));
    expect(results.map((r) => [r.tool_use_id, r.content, r.is_error])).toEqual([
      ['id1', 'echo: a', undefined],
      ['id2', 'echo: b', undefined],
    ]);
    expect(
      events.filter((e) => e.type === 'tool_start').map((e) => e.type === 'tool_start' && e.preview),
    ).toEqual(['a', 'b']);
    expect(events.at(-1)).toMatchObject({ type: 'run_end', reason: 'done', turns: 2 });
  });

  it('turns unknown tools, bad input, ToolErrors and bugs into is_error results and keeps going', async () => {
    const { model, run, bugs } = setup([
      {
        content: [
          call('nope', {}, 'u1'),
          call('echo', { say: 42 }, 'u2'),
          call('broken', { kind: 'tool' }, 'u3'),
          call('broken', { kind: 'bug' }, 'u4'),
        ],
      },
      { content: [text('ok')] },
    ]);
    expect((await run).reason).toBe('done');
    const results = toolResults(model.requests[1]?.messages.at(-1));
    expect(results.every((r) => r.is_error === true)).toBe(true);
    expect(results.map((r) => r.tool_use_id)).toEqual(['u1', 'u2', 'u3', 'u4']);
    expect(results[0]?.content).toContain('Unknown tool "nope"');
    expect(results[0]?.content).toContain('echo');
    expect(results[1]?.content).toContain('Invalid input for echo');
    expect(results[2]?.content).toBe('old_string not found in a.ts');
    expect(results[3]?.content).toContain('Internal error in broken: boom');
    expect(bugs).toHaveLength(1);
  });

  it('answers a repeated tool_use id only once', async () => {
    const { model, run } = setup([
      { content: [call('echo', { say: 'a' }, 'dup'), call('echo', { say: 'b' }, 'dup')] },
      { content: [text('ok')] },
    ]);
    await run;
    expect(toolResults(model.requests[1]?.messages.at(-1))).toHaveLength(1);
  });

  it('winds down at max turns with one tool-free summary turn', async () => {
    const { model, run } = setup(
      [
        { content: [call('echo', { say: '1' })] },
        { content: [call('echo', { say: '2' })] },
        { content: [text('Did 2 of 3 steps; step 3 is left.')] },
      ],
      { budget: { maxTurns: 2 } },
    );
    const result = await run;
    expect(result.reason).toBe('max_turns');
    expect(result.summary).toBe('Did 2 of 3 steps; step 3 is left.');
    expect(model.requests.map((r) => r.allowTools)).toEqual([true, true, false]);
    const last = model.requests[2]?.messages.at(-1);
    expect(toolResults(last)).toHaveLength(1);
    expect(JSON.stringify(last)).toContain('turn limit');
  });

  it('winds down on the cost budget', async () => {
    const { run } = setup([{ content: [call('echo', { say: '1' })] }, { content: [text('summary')] }], {
      budget: { maxTurns: 10, maxCostUsd: 0.5 },
    });
    const result = await run;
    expect(result.reason).toBe('budget');
    expect(result.costUsd).toBeCloseTo(2);
  });

  it('stops a running tool at the deadline and winds down', async () => {
    const { model, run } = setup(
      [{ content: [call('slow', {}, 's1')] }, { content: [text('out of time')] }],
      {
        budget: { maxTurns: 10, deadlineAt: Date.now() + 300 },
      },
    );
    const result = await run;
    expect(result.reason).toBe('deadline');
    expect(result.summary).toBe('out of time');
    expect(toolResults(model.requests[1]?.messages.at(-1))[0]?.content).toBe('stopped');
  });

  it('aborts a hanging model call when the deadline passes', async () => {
    const { run } = setup([{ hang: true }, { content: [text('summary after deadline')] }], {
      budget: { maxTurns: 10, deadlineAt: Date.now() + 200 },
    });
    expect(await run).toMatchObject({ reason: 'deadline', summary: 'summary after deadline' });
  });

  it('ends aborted when cancelled, without another model call', async () => {
    const controller = new AbortController();
    const { model, run } = setup([{ hang: true }], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await run).reason).toBe('aborted');
    expect(model.requests).toHaveLength(1);
  });

  it('ends with error and the server message on a model failure', async () => {
    const { run, events } = setup([{ error: new ModelError('401 invalid x-api-key', 'auth', 401, false) }]);
    const result = await run;
    expect(result).toMatchObject({ reason: 'error', error: '401 invalid x-api-key' });
    expect(events.at(-1)).toMatchObject({ type: 'run_end', reason: 'error' });
  });

  it('continues after max_tokens up to three times, dropping cut-off tool calls', async () => {
    const cut: Step = { content: [text('part'), call('echo', { say: 'x' })], stopReason: 'max_tokens' };
    const { model, run } = setup([
      cut,
      cut,
      cut,
      { content: [text('final part')], stopReason: 'max_tokens' },
    ]);
    const result = await run;
    expect(result.reason).toBe('done');
    expect(result.summary).toBe('final part');
    expect(model.requests).toHaveLength(4);
    const convo = model.requests[3]?.messages ?? [];
    expect(JSON.stringify(convo)).not.toContain('tool_use');
    expect(JSON.stringify(convo.at(-1))).toContain('cut off by the output token limit');
  });

  it('compacts old tool results once when the prompt is too long', async () => {
    const big = 'x'.repeat(5000);
    const bigTool = defineTool({
      name: 'big',
      description: 'big',
      input: z.object({}),
      execute: () => Promise.resolve(big),
    });
    const steps: Step[] = [];
    for (let i = 0; i < 6; i++) steps.push({ content: [call('big', {})] });
    steps.push({ error: new ModelError('prompt is too long', 'prompt_too_long', 400, false) });
    steps.push({ content: [text('fits now')] });
    const { model, run, events } = setup(steps, { tools: [bigTool] });
    expect(await run).toMatchObject({ reason: 'done', summary: 'fits now' });
    const retried = model.requests.at(-1)?.messages ?? [];
    const contents = retried.flatMap((m) => toolResults(m).map((r) => r.content.length));
    expect(contents).toHaveLength(6);
    expect(contents.filter((n) => n === big.length)).toHaveLength(4);
    expect(events.some((e) => e.type === 'notice' && e.message.includes('replaced 2 old tool results'))).toBe(
      true,
    );
  });

  it('does not end while background jobs run: it waits and passes on their notifications', async () => {
    let active = true;
    const queued: string[] = [];
    let shutdowns = 0;
    const jobs: JobsPort = {
      takeNotifications: () => queued.splice(0),
      hasActive: () => active,
      waitForNext: async () => {
        await new Promise((r) => setTimeout(r, 20));
        active = false;
        queued.push('<task_notification>bg_1 failed</task_notification>');
      },
      shutdown: () => {
        shutdowns++;
        return Promise.resolve();
      },
    };
    const { model, run } = setup(
      [{ content: [text('started tests, stopping')] }, { content: [text('saw it')] }],
      {
        jobs,
      },
    );
    expect(await run).toMatchObject({ reason: 'done', summary: 'saw it' });
    expect(JSON.stringify(model.requests[1]?.messages.at(-1))).toContain('bg_1 failed');
    expect(shutdowns).toBe(1);
  });

  it('emits usage per turn and totals at run end', async () => {
    const { run, events } = setup([{ content: [call('echo', { say: 'a' })] }, { content: [text('done')] }]);
    const result = await run;
    expect(result.usage.inputTokens).toBe(200);
    const ends = events.filter((e) => e.type === 'turn_end');
    expect(ends).toHaveLength(2);
    expect(ends[0]).toMatchObject({ toolCalls: ['echo'], priced: true });
  });
});
