import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/agent/events.js';
import { runAgent } from '../../src/agent/loop.js';
import type { JobManager } from '../../src/background/job-manager.js';
import { groupHasLiveProcess } from '../../src/process/process-group.js';
import { createAnthropicModel } from '../../src/model/anthropic.js';
import { createBackgroundTools } from '../../src/tools/background.js';
import { createBashTool } from '../../src/tools/bash.js';
import type { AnyTool } from '../../src/tools/tool.js';
import { Workspace } from '../../src/workspace/workspace.js';
import {
  blocksOf,
  EMULATOR_API_KEY,
  startAnthropicEmulator,
  text,
  toolUse,
  type AnthropicEmulator,
  type WireBlock,
} from '../support/anthropic-emulator.js';
import { cleanupJobs, expectAllDead, makeJobs, readPids, testEnv } from './job-fixtures.js';

let api: AnthropicEmulator;
beforeEach(async () => {
  api = await startAnthropicEmulator();
});
afterEach(async () => {
  await api.close();
  await cleanupJobs();
});

/**
 * The real bash tool and job tools over `jobs`, driven by the real Anthropic adapter against the
 * emulator. The loop's events go to `events`, the job manager's stream, so their order shows.
 */
async function startRun(
  { jobs, cwd, events }: { jobs: JobManager; cwd: string; events: AgentEvent[] },
  budget: { maxTurns: number; deadlineAt?: number },
) {
  const workspace = await Workspace.open(cwd);
  const bash = createBashTool({ workspace, env: testEnv(), background: jobs });
  const tools: AnyTool[] = [bash, ...createBackgroundTools({ jobs })];
  const model = createAnthropicModel({
    apiKey: EMULATOR_API_KEY,
    baseURL: api.url,
    model: 'claude-sonnet-5-5',
    maxTokens: 1024,
    maxRetries: 0,
  });
  const run = runAgent({
    prompt: 'build it',
    system: 'sys',
    model,
    tools,
    jobs,
    emit: (e) => events.push(e),
    budget,
    costOf: () => ({ usd: 0, priced: true }),
  });
  return run;
}

/** The blocks of the last user message of request `index`. */
function lastUserBlocks(index: number): WireBlock[] {
  const message = api.requests[index]?.body?.messages.at(-1);
  expect(message?.role).toBe('user');
  return message ? blocksOf(message) : [];
}

const textOf = (block: WireBlock | undefined): string =>
  block && 'text' in block && typeof block.text === 'string' ? block.text : '';

describe('background jobs in the agent loop', () => {
  it('waits after end_turn for a running job and continues with its notification', async () => {
    const harness = makeJobs();
    api.script(
      toolUse(
        'bash',
        { command: 'sleep 0.5; echo "2 tests failed"; exit 1', run_in_background: true },
        'tu_bg',
      ),
      text('The tests are running; I will wait for them.'),
      text('The tests failed: 2 failures.'),
    );
    const result = await startRun(harness, { maxTurns: 10 });

    expect(result.reason).toBe('done');
    expect(result.summary).toBe('The tests failed: 2 failures.');
    expect(api.requests).toHaveLength(3);
    const [started] = lastUserBlocks(1);
    expect(started).toMatchObject({ type: 'tool_result', tool_use_id: 'tu_bg' });
    expect(JSON.stringify(started)).toMatch(/Started background job bg_1: sleep 0\.5/);

    // The third request carries the notification as a text block of its own, after the model's end_turn.
    const third = api.requests[2]?.body?.messages ?? [];
    expect(third.at(-2)).toMatchObject({ role: 'assistant' });
    const blocks = lastUserBlocks(2);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]?.type).toBe('text');
    expect(textOf(blocks[0])).toMatch(
      /^<task_notification>\n {2}<task_id>bg_1<\/task_id>\n {2}<status>failed<\/status>\n {2}<exit_code>1<\/exit_code>\n[^]*<summary>2 tests failed<\/summary>\n<\/task_notification>$/,
    );
    expect(
      harness.events.some(
        (e) => e.type === 'notice' && e.message === 'Waiting for background jobs to finish.',
      ),
    ).toBe(true);
  });

  it('kills jobs still running when the run ends, reports them killed, and leaves no process behind', async () => {
    const harness = makeJobs({ killGraceMs: 300 });
    const { jobs, cwd, events } = harness;
    api.script(
      [
        // No run_in_background: the heuristic sends it to the background because of `make`.
        toolUse(
          'bash',
          { command: 'sleep 30 & echo $! >> pids; sleep 30 & echo $! >> pids; wait; make' },
          'tu_1',
        ),
        // An explicit false wins over the heuristic: this make runs in the foreground.
        toolUse('bash', { command: 'make -f /dev/null', run_in_background: false }, 'tu_2'),
      ],
      text('Still building; I will stop here.'),
      text('Summary: the build was still running.'),
    );
    const run = startRun(harness, { maxTurns: 10, deadlineAt: Date.now() + 1500 });
    const pids = await readPids(join(cwd, 'pids'), 2);
    const pgid = jobs.processGroupOf('bg_1');
    expect(pgid).toBeDefined();

    const result = await run;
    expect(result.reason).toBe('deadline');
    const [background, foreground] = lastUserBlocks(1);
    expect(JSON.stringify(background)).toMatch(/Started background job bg_1/);
    expect(JSON.stringify(foreground)).toMatch(/No targets/);
    expect(jobs.list()).toHaveLength(1);

    const ended = events.findIndex((e) => e.type === 'job' && e.action === 'ended');
    expect(events[ended]).toMatchObject({ type: 'job', job: { id: 'bg_1', status: 'killed' } });
    expect(ended).toBeLessThan(events.findIndex((e) => e.type === 'run_end'));
    expect(groupHasLiveProcess(pgid as number)).toBe(false);
    expectAllDead(pids);
  });
});
