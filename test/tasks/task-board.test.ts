import { describe, expect, it } from 'vitest';
import {
  blockersOf,
  canStart,
  claimTask,
  completeTask,
  createTask,
  failTask,
  findCycle,
  releaseTask,
  TaskRuleError,
  updateTask,
} from '../../src/tasks/task-board.js';
import { board, T1, task } from './helpers.js';

function refusal(fn: () => unknown): TaskRuleError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TaskRuleError) return error;
    throw error;
  }
  throw new Error('expected a TaskRuleError');
}

describe('can_start', () => {
  it('needs every dependency to exist and be completed', () => {
    const b = board([task('t1', 'completed'), task('t2', 'in_progress'), task('t3', 'pending', ['t1'])]);
    expect(canStart(b, task('t3', 'pending', ['t1']))).toBe(true);
    expect(canStart(b, task('t4', 'pending', ['t1', 't2']))).toBe(false);
    expect(canStart(b, task('t4'))).toBe(true);
  });

  it('counts a missing dependency, or a corrupt one, as blocked', () => {
    const b = board([task('t1', 'completed')], ['t3']);
    expect(blockersOf(b, task('t5', 'pending', ['t1', 't2', 't3']))).toEqual([
      { id: 't2', reason: 'missing' },
      { id: 't3', reason: 'corrupt' },
    ]);
  });

  it('reports a failed dependency as a failure, with its reason', () => {
    const b = board([task('t1', 'failed')]);
    expect(blockersOf(b, task('t2', 'pending', ['t1']))).toEqual([
      { id: 't1', reason: 'failed', result: 'why t1 failed' },
    ]);
  });
});

describe('claim', () => {
  it('turns a startable pending task into in_progress with an owner', () => {
    const b = board([task('t1', 'completed'), task('t2', 'pending', ['t1'])]);
    expect(claimTask(b, 't2', 'taskpilot', T1)).toMatchObject({
      id: 't2',
      status: 'in_progress',
      owner: 'taskpilot',
      updatedAt: T1,
    });
    expect(b.get('t2')?.status).toBe('pending');
  });

  it.each([
    ['in_progress', /already in_progress: agent owns it; pick another task/],
    ['completed', /already completed/],
    ['failed', /failed \(why t1 failed\)\. Create a new task to retry it/],
  ] as const)('refuses a task that is %s', (status, message) => {
    const error = refusal(() => claimTask(board([task('t1', status)]), 't1', 'taskpilot', T1));
    expect(error.code).toBe('wrong_status');
    expect(error.message).toMatch(message);
  });

  it('refuses a blocked task and names the blockers', () => {
    const b = board([task('t1', 'in_progress'), task('t2', 'pending', ['t1', 't9'])]);
    const error = refusal(() => claimTask(b, 't2', 'taskpilot', T1));
    expect(error.code).toBe('blocked');
    expect(error.message).toBe(
      'Task t2 is blocked by t1 (in_progress), t9 (missing). Complete those first, or change its blockedBy with update_task.',
    );
  });

  it('says when a task is blocked by a failure', () => {
    const b = board([task('t1', 'failed'), task('t2', 'pending', ['t1'])]);
    expect(refusal(() => claimTask(b, 't2', 'taskpilot', T1)).message).toMatch(
      /blocked by t1 \(failed: why t1 failed\)\. It is blocked by a failure/,
    );
  });

  it('names unknown and corrupt tasks', () => {
    expect(refusal(() => claimTask(board([]), 't7', 'a', T1)).message).toBe(
      "Task t7 does not exist. Call list_tasks to see the board's ids.",
    );
    expect(refusal(() => claimTask(board([], ['t7']), 't7', 'a', T1)).code).toBe('corrupt');
  });
});

describe('complete', () => {
  it('only completes an in_progress task, and says to claim a pending one first', () => {
    const error = refusal(() => completeTask(board([task('t3')]), 't3', 'agent', T1));
    expect(error.message).toBe('Task t3 is pending; claim it before completing.');
    expect(refusal(() => completeTask(board([task('t3', 'completed')]), 't3', 'agent', T1)).code).toBe(
      'wrong_status',
    );
  });

  it('refuses a task claimed by someone else', () => {
    const error = refusal(() =>
      completeTask(board([task('t1', 'in_progress', [], 'other')]), 't1', 'me', T1),
    );
    expect(error.code).toBe('not_owner');
    expect(error.message).toMatch(/claimed by other/);
  });

  it('reports exactly the pending tasks this completion unblocked', () => {
    const b = board([
      task('t1', 'in_progress'),
      task('t2', 'completed'),
      task('t3', 'pending', ['t1']),
      task('t4', 'pending', ['t1', 't2']),
      task('t5', 'pending', ['t1', 't6']),
      task('t6', 'pending'),
      task('t7', 'in_progress', ['t1']),
      task('t8', 'pending', ['t2']),
    ]);
    const { task: done, unblocked } = completeTask(b, 't1', 'agent', T1, 'merged');
    expect(done).toMatchObject({ status: 'completed', owner: 'agent', result: 'merged', updatedAt: T1 });
    expect(unblocked.map((t) => t.id)).toEqual(['t3', 't4']);
  });
});

describe('fail and release', () => {
  it('records why, and lists the pending tasks now blocked by the failure', () => {
    const b = board([task('t1', 'in_progress'), task('t2', 'pending', ['t1']), task('t3', 'completed')]);
    const { task: failed, blocked } = failTask(b, 't1', 'agent', T1, 'tests are red');
    expect(failed).toMatchObject({ status: 'failed', result: 'tests are red', owner: 'agent' });
    expect(blocked.map((t) => t.id)).toEqual(['t2']);
    expect(refusal(() => failTask(b, 't1', 'agent', T1, ' ')).code).toBe('invalid_input');
  });

  it('lets a pending task fail, but not a completed one', () => {
    expect(failTask(board([task('t1')]), 't1', 'me', T1, 'impossible').task.owner).toBe('me');
    expect(refusal(() => failTask(board([task('t1', 'completed')]), 't1', 'agent', T1, 'x')).code).toBe(
      'wrong_status',
    );
  });

  it('puts an in_progress task back to pending, unowned', () => {
    expect(releaseTask(board([task('t1', 'in_progress')]), 't1', T1)).toMatchObject({
      status: 'pending',
      owner: null,
    });
    expect(refusal(() => releaseTask(board([task('t1')]), 't1', T1)).message).toMatch(
      /t1 is pending; only an in_progress task can be released/,
    );
  });
});

describe('create and update', () => {
  it('creates a pending task and refuses unknown dependencies', () => {
    const b = board([task('t1')]);
    expect(createTask(b, 't2', { subject: 'Next', blockedBy: ['t1', 't1'] }, T1)).toEqual({
      id: 't2',
      subject: 'Next',
      description: '',
      status: 'pending',
      owner: null,
      blockedBy: ['t1'],
      createdAt: T1,
      updatedAt: T1,
    });
    const error = refusal(() => createTask(b, 't2', { subject: 'x', blockedBy: ['t1', 't5'] }, T1));
    expect(error.code).toBe('unknown_dependency');
    expect(error.message).toMatch(/lists t5, which does not exist/);
  });

  it('refuses a cycle on update, naming it', () => {
    const b = board([task('t1'), task('t2', 'pending', ['t1']), task('t3', 'pending', ['t2'])]);
    const error = refusal(() => updateTask(b, 't1', { blockedBy: ['t3'] }, T1));
    expect(error.code).toBe('cycle');
    expect(error.message).toMatch(/t1 → t3 → t2 → t1/);
    expect(refusal(() => updateTask(b, 't1', { blockedBy: ['t1'] }, T1)).message).toMatch(/t1 → t1/);
  });

  it('refuses a cycle on create, through a task that already waits for the new id', () => {
    const b = board([task('t1', 'pending', ['t2'])], ['t2']);
    expect(findCycle(b, 't2', ['t1'])).toEqual(['t2', 't1', 't2']);
    expect(refusal(() => createTask(b, 't2', { subject: 'x', blockedBy: ['t1'] }, T1)).code).toBe('cycle');
  });

  it('finds no cycle in a diamond, and copes with a long chain', () => {
    const diamond = board([task('t1'), task('t2', 'pending', ['t1']), task('t3', 'pending', ['t1'])]);
    expect(findCycle(diamond, 't4', ['t2', 't3'])).toBeUndefined();
    const chain = board(
      Array.from({ length: 20_000 }, (_, i) => task(`t${i + 1}`, 'pending', i ? [`t${i}`] : [])),
    );
    expect(findCycle(chain, 't1', ['t20000'])).toHaveLength(20_001);
  });

  it('changes subject, description and blockedBy; blockedBy only while pending', () => {
    const b = board([task('t1', 'completed'), task('t2', 'in_progress')]);
    expect(updateTask(b, 't2', { subject: 'Renamed', description: 'More' }, T1)).toMatchObject({
      subject: 'Renamed',
      description: 'More',
      status: 'in_progress',
    });
    expect(refusal(() => updateTask(b, 't2', { blockedBy: ['t1'] }, T1)).message).toMatch(
      /t2 is in_progress; its blockedBy can change only while it is pending/,
    );
    expect(refusal(() => updateTask(b, 't2', {}, T1)).code).toBe('invalid_input');
  });
});
