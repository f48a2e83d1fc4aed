import { describe, expect, it } from 'vitest';
import { compareTaskIds, TaskSchema, taskIdNumber, toTaskView } from '../../src/tasks/task.js';
import { task } from './helpers.js';

describe('TaskSchema', () => {
  it('accepts every status with its invariants', () => {
    for (const status of ['pending', 'in_progress', 'completed', 'failed'] as const) {
      expect(TaskSchema.safeParse(task('t1', status)).success).toBe(true);
    }
  });

  it.each([
    ['an id that is not tN', { id: 'task_1' }],
    ['t0', { id: 't0' }],
    ['an unknown status', { status: 'done' }],
    ['an empty subject', { subject: '  ' }],
    ['a misspelt field', { blockedby: [] }],
    ['a self dependency', { blockedBy: ['t1'] }],
    ['a duplicate dependency', { blockedBy: ['t2', 't2'] }],
    ['a dependency that is not an id', { blockedBy: ['2'] }],
    ['a date that is not ISO', { createdAt: 'yesterday' }],
  ])('refuses %s', (_label, patch) => {
    expect(TaskSchema.safeParse({ ...task('t1'), ...patch }).success).toBe(false);
  });

  it('ties owner and result to the status', () => {
    expect(TaskSchema.safeParse({ ...task('t1', 'in_progress'), owner: null }).success).toBe(false);
    expect(TaskSchema.safeParse({ ...task('t1'), owner: 'agent' }).success).toBe(false);
    const { result: _result, ...failedWithoutWhy } = task('t1', 'failed');
    expect(TaskSchema.safeParse(failedWithoutWhy).success).toBe(false);
  });
});

describe('ids and views', () => {
  it('orders ids numerically', () => {
    expect(['t10', 't2', 't1'].sort(compareTaskIds)).toEqual(['t1', 't2', 't10']);
    expect(taskIdNumber('t12')).toBe(12);
    expect(taskIdNumber('x12')).toBeUndefined();
  });

  it('maps a task to the view reporters get', () => {
    expect(toTaskView(task('t2', 'failed', ['t1']))).toEqual({
      id: 't2',
      subject: 'Subject of t2',
      status: 'failed',
      owner: 'agent',
      blockedBy: ['t1'],
      result: 'why t2 failed',
    });
    expect(toTaskView(task('t1'))).not.toHaveProperty('result');
  });
});
