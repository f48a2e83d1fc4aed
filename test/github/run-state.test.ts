import { describe, expect, it } from 'vitest';
import type { RunEndReason } from '../../src/agent/events.js';
import {
  conclusionFor,
  endRun,
  initialRunState,
  MAX_NOTICES,
  reduce,
  statusForEndReason,
  taskCounts,
} from '../../src/github/run-state.js';
import { board, endEvents, job, stateOf, T0, workingEvents } from './run-fixtures.js';

describe('reduce', () => {
  it('tracks a run in progress', () => {
    const state = stateOf(workingEvents());
    expect(state).toMatchObject({
      status: 'working',
      model: 'claude-sonnet-5-5',
      startedAt: T0,
      turnCount: 2,
      costUsd: 0.0515,
      usage: { inputTokens: 12_000, outputTokens: 800, cacheWriteTokens: 10_000 },
      activity: { tool: 'edit_file', running: true, preview: 'src/date.ts: replace 3 lines' },
      tasks: board,
      jobs: [job()],
    });
    expect(state.turns).toEqual([
      expect.objectContaining({ turn: 1, startedAt: T0 + 1000, durationMs: 9000, toolCalls: ['bash'] }),
      expect.objectContaining({ turn: 2, startedAt: T0 + 30_000, durationMs: null, toolCalls: [] }),
    ]);
    expect(taskCounts(state)).toEqual({ completed: 1, total: 3 });
  });

  it('takes the totals and the summary from run_end', () => {
    const state = stateOf([...workingEvents(), ...endEvents()]);
    expect(state).toMatchObject({
      status: 'done',
      endReason: 'done',
      turnCount: 2,
      costUsd: 0.0609,
      durationMs: 95_000,
      activity: { running: false },
      jobs: [job({ status: 'completed', exitCode: 0, endedAt: T0 + 80_000 })],
    });
    expect(state.summary).toContain('Fixed');
  });

  it('does not mutate the previous state', () => {
    const before = stateOf(workingEvents());
    const snapshot = structuredClone(before);
    for (const event of endEvents()) reduce(before, event);
    expect(before).toEqual(snapshot);
  });

  it('records model fallbacks and keeps the last notices only', () => {
    let state = reduce(initialRunState(), {
      type: 'model_fallback',
      from: 'a',
      to: 'b',
      reason: 'overloaded',
    });
    expect(state.model).toBe('b');
    for (let i = 0; i < 10; i++) state = reduce(state, { type: 'notice', level: 'info', message: `n${i}` });
    expect(state.notices).toHaveLength(MAX_NOTICES);
    expect(state.notices.at(-1)?.message).toBe('n9');
  });

  it('flags unpriced turns', () => {
    const state = reduce(initialRunState(), {
      type: 'turn_end',
      turn: 1,
      usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
      costUsd: 0,
      priced: false,
      stopReason: 'end_turn',
      toolCalls: [],
      durationMs: 1,
      model: 'custom',
    });
    expect(state.unpriced).toBe(true);
  });
});

describe('status and conclusion', () => {
  it.each<[RunEndReason, string, string]>([
    ['done', 'done', 'success'],
    ['max_turns', 'budget', 'budget_exhausted'],
    ['budget', 'budget', 'budget_exhausted'],
    ['deadline', 'timed_out', 'timed_out'],
    ['aborted', 'cancelled', 'cancelled'],
    ['error', 'failed', 'failure'],
  ])('%s → %s → %s', (reason, status, conclusion) => {
    expect(statusForEndReason(reason)).toBe(status);
    expect(conclusionFor(statusForEndReason(reason))).toBe(conclusion);
  });

  it('endRun ends a working run once and keeps a final status', () => {
    const working = stateOf(workingEvents());
    const cancelled = endRun(working, 'cancelled');
    expect(cancelled).toMatchObject({ status: 'cancelled', activity: { running: false } });
    expect(endRun(cancelled, 'failed', 'late')).toBe(cancelled);
    expect(conclusionFor('working')).toBe('failure');
  });
});
