import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/agent/events.js';
import { runAgent } from '../../src/agent/loop.js';
import { createAnthropicModel } from '../../src/model/anthropic.js';
import { costOf } from '../../src/model/pricing.js';
import { JsonTaskStore } from '../../src/tasks/json-task-store.js';
import { TaskSchema } from '../../src/tasks/task.js';
import { createTaskTools } from '../../src/tools/tasks.js';
import {
  EMULATOR_API_KEY,
  lastToolResults,
  startAnthropicEmulator,
  text,
  thinking,
  toolUse,
  type AnthropicEmulator,
} from '../support/anthropic-emulator.js';
import { tempWorkspace } from './helpers.js';

let api: AnthropicEmulator;
let root: string;
let cleanup: () => void;
beforeEach(async () => {
  api = await startAnthropicEmulator();
  ({ root, cleanup } = tempWorkspace());
});
afterEach(async () => {
  await api.close();
  cleanup();
});

/** The text of each tool_result the loop sent back in request `index`, with an error marker. */
function resultsOf(index: number): string[] {
  const body = api.requests[index]?.body;
  if (body === undefined) throw new Error(`no request ${index}`);
  return lastToolResults(body).map((r) => {
    const content = typeof r.content === 'string' ? r.content : JSON.stringify(r.content);
    return r.is_error === true ? `ERROR ${content}` : content;
  });
}

describe('the agent plans on the board and works through it', () => {
  it('creates three dependent tasks, claims and completes them, and is told what each completion unblocked', async () => {
    api.script(
      [
        thinking('Three steps that depend on each other: put them on the board first.'),
        toolUse('create_task', { subject: 'Parse the config file', description: 'YAML, in src/config.ts' }),
        toolUse('create_task', { subject: 'Validate the config', blockedBy: ['t1'] }),
        toolUse('create_task', { subject: 'Document the options', blockedBy: ['t1', 't2'] }),
      ],
      [toolUse('list_tasks', {}), toolUse('claim_task', { task_id: 't1' })],
      [
        toolUse('complete_task', { task_id: 't1', result: 'parser added' }),
        toolUse('claim_task', { task_id: 't3' }),
        toolUse('claim_task', { task_id: 't2' }),
      ],
      [toolUse('complete_task', { task_id: 't2' }), toolUse('claim_task', { task_id: 't3' })],
      [toolUse('complete_task', { task_id: 't3', result: 'README updated' })],
      text('The config is parsed, validated and documented.'),
    );
    const dir = join(root, '.tasks');
    const store = JsonTaskStore.open({ dir, workspaceRoot: root });
    const events: AgentEvent[] = [];
    const bugs: unknown[] = [];

    const result = await runAgent({
      prompt: 'Add a config file with validation and docs.',
      system: 'You are taskpilot.',
      model: createAnthropicModel({
        apiKey: EMULATOR_API_KEY,
        baseURL: api.url,
        model: 'claude-sonnet-5-5',
        maxTokens: 1000,
      }),
      tools: createTaskTools({ store, emit: (e) => events.push(e), owner: 'taskpilot' }),
      emit: (e) => events.push(e),
      budget: { maxTurns: 10 },
      costOf,
      onBug: (e) => bugs.push(e),
    });

    expect(bugs).toEqual([]);
    expect(result).toMatchObject({
      reason: 'done',
      summary: 'The config is parsed, validated and documented.',
    });
    expect(api.requests.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(api.requests[0]?.body?.tools?.map((t) => t.name)).toContain('complete_task');

    expect(resultsOf(1)).toEqual([
      'Created t1: Parse the config file.',
      'Created t2: Validate the config (blocked by t1).',
      'Created t3: Document the options (blocked by t1, t2).',
    ]);
    expect(resultsOf(2)[0]).toBe(
      [
        '0/3 completed, 0 in progress, 1 ready, 2 blocked, 0 failed.',
        '○ t1 Parse the config file — ready',
        '○ t2 Validate the config — blocked by t1 (pending)',
        '○ t3 Document the options — blocked by t1 (pending), t2 (pending)',
      ].join('\n'),
    );
    expect(resultsOf(3)).toEqual([
      'Completed t1: Parse the config file.\nUnblocked: t2 (Validate the config).',
      'ERROR Task t3 is blocked by t2 (pending). Complete those first, or change its blockedBy with update_task.',
      expect.stringMatching(/^Claimed t2: Validate the config\./) as unknown,
    ]);
    expect(resultsOf(4)[0]).toBe('Completed t2: Validate the config.\nUnblocked: t3 (Document the options).');
    expect(resultsOf(5)).toEqual(['Completed t3: Document the options.\nNo task was unblocked by this.']);

    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(['t1.json', 't2.json', 't3.json']);
    const onDisk = ['t1', 't2', 't3'].map((id) =>
      TaskSchema.parse(JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8'))),
    );
    expect(onDisk).toMatchObject([
      { id: 't1', status: 'completed', owner: 'taskpilot', blockedBy: [], result: 'parser added' },
      { id: 't2', status: 'completed', owner: 'taskpilot', blockedBy: ['t1'] },
      {
        id: 't3',
        status: 'completed',
        owner: 'taskpilot',
        blockedBy: ['t1', 't2'],
        result: 'README updated',
      },
    ]);
    expect(onDisk[1]).not.toHaveProperty('result');

    const taskEvents = events.flatMap((e) => (e.type === 'task' ? [`${e.action} ${e.task.id}`] : []));
    expect(taskEvents).toEqual([
      'created t1',
      'created t2',
      'created t3',
      'claimed t1',
      'completed t1',
      'claimed t2',
      'completed t2',
      'claimed t3',
      'completed t3',
    ]);
    const last = events.findLast((e) => e.type === 'task');
    expect(last?.type === 'task' && last.tasks.map((t) => t.status)).toEqual([
      'completed',
      'completed',
      'completed',
    ]);
  });
});
