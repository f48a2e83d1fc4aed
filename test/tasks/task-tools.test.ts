import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/agent/events.js';
import { JsonTaskStore } from '../../src/tasks/json-task-store.js';
import { createTaskTools } from '../../src/tools/tasks.js';
import { ToolError, type Tool } from '../../src/tools/tool.js';
import { task, tempWorkspace } from './helpers.js';

let root: string;
let cleanup: () => void;
let events: AgentEvent[];
let tools: Map<string, Tool<unknown>>;

beforeEach(() => {
  ({ root, cleanup } = tempWorkspace());
  events = [];
  const store = JsonTaskStore.open({ dir: join(root, '.tasks'), workspaceRoot: root });
  tools = new Map(
    createTaskTools({ store, emit: (e) => events.push(e), owner: 'taskpilot' }).map((t) => [
      t.name,
      t as Tool<unknown>,
    ]),
  );
});
afterEach(() => cleanup());

/** Calls a tool as the loop does: input through the tool's schema, ToolErrors as text. */
async function call(name: string, input: Record<string, unknown> = {}): Promise<string> {
  const tool = tools.get(name);
  if (tool === undefined) throw new Error(`no tool ${name}`);
  try {
    const out = await tool.execute(tool.schema.parse(input), {
      signal: new AbortController().signal,
      toolUseId: 'toolu_1',
    });
    return typeof out === 'string' ? out : out.content;
  } catch (error) {
    if (error instanceof ToolError) return `ERROR ${error.message}`;
    throw error;
  }
}

async function plan(): Promise<void> {
  await call('create_task', { subject: 'Write the schema' });
  await call('create_task', { subject: 'Write the store', blockedBy: ['t1'] });
  await call('create_task', { subject: 'Write the tools', blockedBy: ['t1', 't2'] });
}

describe('task tools', () => {
  it('offers the eight tools, with JSON schemas and planning advice', () => {
    expect([...tools.keys()]).toEqual([
      'create_task',
      'list_tasks',
      'get_task',
      'claim_task',
      'complete_task',
      'fail_task',
      'release_task',
      'update_task',
    ]);
    expect(tools.get('create_task')?.description).toMatch(/plan it here first/);
    expect(tools.get('create_task')?.description).toMatch(/keep it current/);
    expect(tools.get('claim_task')?.spec.input_schema).toMatchObject({ required: ['task_id'] });
  });

  it('lists the board compactly: icon, id, subject, owner, blockers', async () => {
    await plan();
    await call('claim_task', { task_id: 't1' });
    await call('create_task', { subject: 'Doomed' });
    await call('create_task', { subject: 'After doomed', blockedBy: ['t4'] });
    await call('fail_task', { task_id: 't4', reason: 'no network\nmore detail' });
    expect(await call('list_tasks')).toBe(
      [
        '0/5 completed, 1 in progress, 0 ready, 3 blocked, 1 failed.',
        '● t1 Write the schema [taskpilot]',
        '○ t2 Write the store — blocked by t1 (in_progress)',
        '○ t3 Write the tools — blocked by t1 (in_progress), t2 (pending)',
        '✗ t4 Doomed [taskpilot] — failed: no network',
        '○ t5 After doomed — blocked by a failure: t4 (failed)',
      ].join('\n'),
    );
  });

  it('says so when the board is empty', async () => {
    expect(await call('list_tasks')).toMatch(/The board is empty\. Plan multi-step work with create_task/);
  });

  it('reports a corrupt file by name in list_tasks', async () => {
    await plan();
    writeFileSync(join(root, '.tasks', 't2.json'), JSON.stringify({ ...task('t2'), owner: 7 }));
    const listing = await call('list_tasks');
    expect(listing).toMatch(/^! t2\.json is corrupt and ignored: owner: .+ do not recreate it\.$/m);
    expect(listing).toMatch(/○ t3 Write the tools — blocked by t1 \(pending\), t2 \(corrupt\)/);
  });

  it('answers every mistake with what to do instead', async () => {
    await plan();
    expect(await call('complete_task', { task_id: 't1' })).toBe(
      'ERROR Task t1 is pending; claim it before completing.',
    );
    expect(await call('claim_task', { task_id: 't2' })).toMatch(
      /^ERROR Task t2 is blocked by t1 \(pending\)\. Complete/,
    );
    expect(await call('get_task', { task_id: 't9' })).toMatch(
      /^ERROR Task t9 does not exist\. Call list_tasks/,
    );
    expect(await call('update_task', { task_id: 't1', blockedBy: ['t3'] })).toMatch(
      /^ERROR That blockedBy would make a cycle .*: t1 → t3 → t1\. Remove one/,
    );
    expect(await call('release_task', { task_id: 't1' })).toMatch(/only an in_progress task can be released/);
    expect(() => tools.get('claim_task')?.schema.parse({ task_id: '3' })).toThrow(/looks like t1, t2, t3/);
    expect(() => tools.get('create_task')?.schema.parse({ subject: 'a\nb' })).toThrow(/subject is one line/);
  });

  it('reports what a completion unblocked, and emits the whole board on every change', async () => {
    await plan();
    await call('claim_task', { task_id: 't1' });
    expect(await call('complete_task', { task_id: 't1', result: 'schema in src/tasks/task.ts' })).toBe(
      'Completed t1: Write the schema.\nUnblocked: t2 (Write the store).',
    );
    await call('claim_task', { task_id: 't2' });
    expect(await call('complete_task', { task_id: 't2' })).toBe(
      'Completed t2: Write the store.\nUnblocked: t3 (Write the tools).',
    );
    await call('claim_task', { task_id: 't3' });
    await call('release_task', { task_id: 't3' });
    await call('update_task', { task_id: 't3', description: 'and their tests' });
    await call('list_tasks');
    await call('get_task', { task_id: 't3' });

    const taskEvents = events.filter((e) => e.type === 'task');
    expect(taskEvents.map((e) => `${e.action} ${e.task.id}`)).toEqual([
      'created t1',
      'created t2',
      'created t3',
      'claimed t1',
      'completed t1',
      'claimed t2',
      'completed t2',
      'claimed t3',
      'released t3',
      'updated t3',
    ]);
    expect(events).toHaveLength(taskEvents.length);
    expect(taskEvents.at(4)).toEqual({
      type: 'task',
      action: 'completed',
      task: {
        id: 't1',
        subject: 'Write the schema',
        status: 'completed',
        owner: 'taskpilot',
        blockedBy: [],
        result: 'schema in src/tasks/task.ts',
      },
      tasks: [
        expect.objectContaining({ id: 't1', status: 'completed' }) as unknown,
        expect.objectContaining({ id: 't2', status: 'pending' }) as unknown,
        expect.objectContaining({ id: 't3', status: 'pending' }) as unknown,
      ],
    });
  });

  it('shows one task in full with what it waits on and what needs it', async () => {
    await plan();
    await call('update_task', { task_id: 't2', description: 'One JSON file per task.' });
    expect(await call('get_task', { task_id: 't2' })).toBe(
      [
        't2: Write the store',
        'status: pending',
        'blockedBy: t1',
        'waiting on: t1 (pending)',
        'needed by: t3',
        '',
        'One JSON file per task.',
      ].join('\n'),
    );
  });

  it('tells the model which tasks a failure blocks', async () => {
    await plan();
    await call('claim_task', { task_id: 't1' });
    expect(await call('fail_task', { task_id: 't1', reason: 'zod is missing' })).toBe(
      'Marked t1 failed: zod is missing\nNow blocked by this failure: t2, t3. ' +
        'Change their blockedBy with update_task, create a replacement task, or fail them too.',
    );
    expect(await call('claim_task', { task_id: 't2' })).toMatch(/It is blocked by a failure/);
  });
});
