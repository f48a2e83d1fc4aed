/* eslint-disable no-irregular-whitespace -- the snapshots contain the zero-width space that breaks @mentions */
import { describe, expect, it } from 'vitest';
import type { TaskView } from '../../src/agent/events.js';
import { readStatusMarker } from '../../src/github/markers.js';
import { COMMENT_LIMIT, renderProgressComment } from '../../src/github/render.js';
import { breakMentions, formatDuration, formatTokens, inlineCode } from '../../src/github/render-format.js';
import { endRun, initialRunState, reduce } from '../../src/github/run-state.js';
import { endEvents, job, stateOf, T0, workingEvents } from './run-fixtures.js';

const options = { runId: 4242, runUrl: 'https://github.com/o/r/actions/runs/4242', now: T0 + 65_000 };

describe('renderProgressComment', () => {
  it('renders the first state', () => {
    expect(renderProgressComment(initialRunState(), options)).toMatchInlineSnapshot(`
      "<!-- taskpilot:progress run=4242 -->
      <!-- taskpilot:status=working -->**⏳ Working** · 0s · [workflow run](https://github.com/o/r/actions/runs/4242)

      <sub>0 turns · 0 input / 0 output / 0 cache-read tokens · $0.000</sub>"
    `);
  });

  it('renders a run in progress', () => {
    expect(renderProgressComment(stateOf(workingEvents()), options)).toMatchInlineSnapshot(`
      "<!-- taskpilot:progress run=4242 -->
      <!-- taskpilot:status=working -->**⏳ Working** · 1m 05s · [workflow run](https://github.com/o/r/actions/runs/4242)

      **Now:** \`edit_file\` \`src/date.ts: replace 3 lines\` (turn 2)

      > ⚠️ Tool output was truncated to 30000 characters

      #### Tasks · 1/3 done

      - [x] **t1** Reproduce the failing test — _owner lead_
      - [ ] 🔄 **t2** Fix \\\`parseDate\\\` for @​timezone \\| UTC — _in progress · owner worker-1_
      - [ ] **t3** Update the changelog — _blocked by t2_

      #### Background jobs · 1 running

      | Job | Command | Status | Duration | Exit |
      |---|---|---|---|---|
      | \`job-1\` | \`npm test -- --run \\| tee log.txt\` | ⏳ running | 45s | – |

      <sub>2 turns · 12k input / 800 output / 0 cache-read tokens · $0.051 · claude-sonnet-5-5</sub>"
    `);
  });

  it('renders a finished run with its summary', () => {
    expect(renderProgressComment(stateOf([...workingEvents(), ...endEvents()]), options))
      .toMatchInlineSnapshot(`
        "<!-- taskpilot:progress run=4242 -->
        <!-- taskpilot:status=done -->**✅ Done** · 1m 35s · [workflow run](https://github.com/o/r/actions/runs/4242)

        #### Summary

        Fixed \`parseDate\` (thanks @​octocat).

        - Added a test

        > ⚠️ Tool output was truncated to 30000 characters

        #### Tasks · 1/3 done

        - [x] **t1** Reproduce the failing test — _owner lead_
        - [ ] 🔄 **t2** Fix \\\`parseDate\\\` for @​timezone \\| UTC — _in progress · owner worker-1_
        - [ ] **t3** Update the changelog — _blocked by t2_

        #### Background jobs · 0 running

        | Job | Command | Status | Duration | Exit |
        |---|---|---|---|---|
        | \`job-1\` | \`npm test -- --run \\| tee log.txt\` | ✅ completed | 1m 00s | 0 |

        <sub>2 turns · 13.5k input / 1.2k output / 12k cache-read tokens · $0.061 · claude-sonnet-5-5</sub>"
      `);
  });

  it.each([
    ['failed', '❌ Failed'],
    ['cancelled', '⏹ Cancelled'],
    ['timed_out', '⌛ Out of time'],
    ['budget', '💸 Budget reached'],
  ] as const)('shows %s', (status, label) => {
    const body = renderProgressComment(endRun(stateOf(workingEvents()), status, 'boom'), options);
    expect(body.split('\n')[1]).toContain(`**${label}**`);
    expect(readStatusMarker(body)).toBe(status);
    expect(body).not.toContain('**Now:**');
  });

  it('names a turn limit', () => {
    const state = reduce(stateOf(workingEvents()), {
      type: 'run_end',
      reason: 'max_turns',
      summary: '',
      turns: 60,
      usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
      costUsd: 1,
      durationMs: 1000,
    });
    expect(renderProgressComment(state, options).split('\n')[1]).toContain(
      '**💸 Budget reached** (turn limit)',
    );
  });

  it('stays under the limit with a huge board, many jobs and a long summary', () => {
    const tasks: TaskView[] = Array.from({ length: 3000 }, (_, i) => ({
      id: `t${i}`,
      subject: `Task number ${i} `.repeat(8),
      status: i % 3 === 0 ? 'completed' : 'pending',
      owner: `worker-${i % 7}`,
      blockedBy: [`t${i + 1}`, `t${i + 2}`],
    }));
    let state = reduce(stateOf(workingEvents()), { type: 'task', action: 'created', task: tasks[0]!, tasks });
    for (let i = 0; i < 800; i++) {
      state = reduce(state, {
        type: 'job',
        action: 'started',
        job: job({ id: `job-${i}`, command: 'x'.repeat(500) }),
      });
    }
    state = reduce(state, {
      type: 'run_end',
      reason: 'done',
      summary: 'long summary '.repeat(10_000),
      turns: 3,
      usage: state.usage,
      costUsd: 1,
      durationMs: 5,
    });
    const body = renderProgressComment(state, options);
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain('<details><summary><b>Tasks · 1000/3000 done</b></summary>');
    expect(body).toMatch(/- _… \d+ more tasks not shown_/);
    expect(body).toMatch(/\| _… \d+ more jobs not shown_ \|/);
    expect(body).toContain('_… truncated (');
    expect(body.startsWith('<!-- taskpilot:progress run=4242 -->\n<!-- taskpilot:status=done -->')).toBe(
      true,
    );
  });

  it('never exceeds a small limit', () => {
    const body = renderProgressComment(stateOf([...workingEvents(), ...endEvents()]), {
      ...options,
      maxChars: 400,
    });
    expect(body.length).toBeLessThanOrEqual(400);
  });
});

describe('format helpers', () => {
  it('formats durations and tokens', () => {
    expect([0, 45_000, 192_000, 3_720_000].map(formatDuration)).toEqual(['0s', '45s', '3m 12s', '1h 02m']);
    expect([950, 1000, 1234, 12_345, 1_250_000].map(formatTokens)).toEqual([
      '950',
      '1k',
      '1.23k',
      '12.3k',
      '1.25M',
    ]);
  });

  it('makes code spans safe in tables and around backticks', () => {
    expect(inlineCode('a | b')).toBe('`a \\| b`');
    expect(inlineCode('echo `x`')).toBe('`` echo `x` ``');
  });

  it('breaks mentions but not e-mail addresses', () => {
    expect(breakMentions('@alice and bob@example.com')).toBe('@\u200Balice and bob@example.com');
  });
});
