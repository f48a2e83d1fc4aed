import type { AgentEvent, JobView, TaskView } from '../../src/agent/events.js';
import { initialRunState, reduce, type RunState } from '../../src/github/run-state.js';

export const T0 = Date.UTC(2026, 10, 2, 12, 0, 0);

const usage = (input: number, output: number, cacheRead = 0, cacheWrite = 0) => ({
  inputTokens: input,
  outputTokens: output,
  cacheReadTokens: cacheRead,
  cacheWriteTokens: cacheWrite,
});

export const board: TaskView[] = [
  {
    id: 't1',
    subject: 'Reproduce the failing test',
    status: 'completed',
    owner: 'lead',
    blockedBy: [],
    result: 'fails on Node 20',
  },
  {
    id: 't2',
    subject: 'Fix `parseDate` for @timezone | UTC',
    status: 'in_progress',
    owner: 'worker-1',
    blockedBy: ['t1'],
  },
  { id: 't3', subject: 'Update the changelog', status: 'pending', owner: null, blockedBy: ['t2'] },
];

export const job = (patch: Partial<JobView> = {}): JobView => ({
  id: 'job-1',
  command: 'npm test -- --run | tee log.txt',
  status: 'running',
  exitCode: null,
  startedAt: T0 + 20_000,
  endedAt: null,
  logPath: '/tmp/job-1.log',
  logBytes: 120,
  ...patch,
});

/** A run in progress: two turns, a task board, a running job, a tool call under way. */
export function workingEvents(): AgentEvent[] {
  return [
    { type: 'run_start', model: 'claude-sonnet-5-5', prompt: 'fix it', at: T0 },
    { type: 'turn_start', turn: 1, at: T0 + 1000 },
    { type: 'tool_start', turn: 1, id: 'u1', name: 'bash', preview: 'npm test', at: T0 + 2000 },
    {
      type: 'tool_end',
      turn: 1,
      id: 'u1',
      name: 'bash',
      isError: true,
      preview: '1 failed',
      durationMs: 4000,
    },
    {
      type: 'turn_end',
      turn: 1,
      usage: usage(12_000, 800, 0, 10_000),
      costUsd: 0.0515,
      priced: true,
      stopReason: 'tool_use',
      toolCalls: ['bash'],
      durationMs: 9000,
      model: 'claude-sonnet-5-5',
    },
    { type: 'task', action: 'created', task: board[2]!, tasks: board },
    { type: 'job', action: 'started', job: job() },
    { type: 'turn_start', turn: 2, at: T0 + 30_000 },
    {
      type: 'tool_start',
      turn: 2,
      id: 'u2',
      name: 'edit_file',
      preview: 'src/date.ts: replace 3 lines',
      at: T0 + 31_000,
    },
    { type: 'notice', level: 'warning', message: 'Tool output was truncated to 30000 characters' },
    { type: 'notice', level: 'info', message: 'not shown' },
  ];
}

export function endEvents(): AgentEvent[] {
  return [
    { type: 'tool_end', turn: 2, id: 'u2', name: 'edit_file', isError: false, preview: 'ok', durationMs: 50 },
    {
      type: 'turn_end',
      turn: 2,
      usage: usage(1500, 400, 12_000),
      costUsd: 0.0094,
      priced: true,
      stopReason: 'end_turn',
      toolCalls: ['edit_file', 'bash', 'bash'],
      durationMs: 6000,
      model: 'claude-sonnet-5-5',
    },
    { type: 'job', action: 'ended', job: job({ status: 'completed', exitCode: 0, endedAt: T0 + 80_000 }) },
    {
      type: 'run_end',
      reason: 'done',
      summary: 'Fixed `parseDate` (thanks @octocat).\n\n- Added a test<!-- taskpilot:progress run=1 -->',
      turns: 2,
      usage: usage(13_500, 1200, 12_000, 10_000),
      costUsd: 0.0609,
      durationMs: 95_000,
    },
  ];
}

export function stateOf(events: AgentEvent[]): RunState {
  return events.reduce(reduce, initialRunState());
}
