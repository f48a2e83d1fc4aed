/* eslint-disable no-irregular-whitespace -- the snapshots contain the zero-width space that breaks @mentions */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgentEvent } from '../../src/agent/events.js';
import { actionsLogReporter, type ActionsLog } from '../../src/github/log-reporter.js';
import { createRedactor } from '../../src/github/redact.js';
import { initialRunState, reduce } from '../../src/github/run-state.js';
import {
  OUTPUT_NAMES,
  SUMMARY_LIMIT,
  outputsFor,
  renderJobSummary,
  setOutputs,
  setSkippedOutputs,
  skippedOutputs,
  writeJobSummary,
} from '../../src/github/summary.js';
import { endEvents, stateOf, T0, workingEvents } from './run-fixtures.js';

const finished = () => stateOf([...workingEvents(), ...endEvents()]);
const options = {
  runUrl: 'https://github.com/o/r/actions/runs/1',
  now: T0 + 100_000,
  commentUrl: 'https://github.com/o/r/issues/1#issuecomment-9',
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('renderJobSummary', () => {
  it('renders status, summary, usage, tasks, jobs and turns', () => {
    expect(renderJobSummary(finished(), options)).toMatchInlineSnapshot(`
      "## taskpilot

      **✅ Done** · 1m 35s · [workflow run](https://github.com/o/r/actions/runs/1) · [progress comment](https://github.com/o/r/issues/1#issuecomment-9)

      ### Summary

      Fixed \`parseDate\` (thanks @​octocat).

      - Added a test

      ### Usage

      | Turns | Input tokens | Output tokens | Cache read | Cache write | Cost | Model |
      |---|---|---|---|---|---|---|
      | 2 | 13.5k | 1.2k | 12k | 10k | $0.061 | claude-sonnet-5-5 |

      ### Tasks · 1/3 done

      | Task | Subject | Status | Owner | Blocked by | Result |
      |---|---|---|---|---|---|
      | t1 | Reproduce the failing test | completed | lead | – | fails on Node 20 |
      | t2 | Fix \\\`parseDate\\\` for @​timezone \\| UTC | in progress | worker-1 | t1 |  |
      | t3 | Update the changelog | pending | – | t2 |  |

      ### Background jobs

      | Job | Command | Status | Duration | Exit |
      |---|---|---|---|---|
      | \`job-1\` | \`npm test -- --run \\| tee log.txt\` | ✅ completed | 1m 00s | 0 |

      ### Turns

      | Turn | Duration | Input | Output | Cache read | Cache write | Cost | Tools |
      |---|---|---|---|---|---|---|---|
      | 1 | 9s | 12k | 800 | 0 | 10k | $0.051 | bash |
      | 2 | 6s | 1.5k | 400 | 12k | 0 | $0.009 | edit\\_file, bash ×2 |"
    `);
  });

  it('stays under the step summary limit', () => {
    const state = finished();
    const turns = Array.from({ length: 20_000 }, (_, i) => ({
      ...state.turns[0]!,
      turn: i + 1,
      toolCalls: Array(30).fill('bash') as string[],
    }));
    const body = renderJobSummary({ ...state, turns, summary: 'x'.repeat(2_000_000) }, options);
    expect(body.length).toBeLessThanOrEqual(SUMMARY_LIMIT + 20);
  });

  it('writes a redacted summary to GITHUB_STEP_SUMMARY', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'summary-'));
    const file = join(dir, 'summary.md');
    writeFileSync(file, '');
    vi.stubEnv('GITHUB_STEP_SUMMARY', file);
    const secret = 'ghs_' + 'S'.repeat(36);
    const tasks = [
      { id: 'x', subject: `uses ${secret}`, status: 'pending' as const, owner: null, blockedBy: [] },
    ];
    const state = { ...finished(), summary: `done with ${secret}`, tasks, error: null };
    await writeJobSummary(state, options, createRedactor([secret]));
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('done with ***');
    expect(text).toContain('| uses \\*\\*\\* |');
    expect(text).not.toContain(secret);
  });
});

describe('outputs', () => {
  it('derives every output from the state', () => {
    expect(outputsFor(finished(), { commentId: 9, commentUrl: options.commentUrl })).toEqual({
      conclusion: 'success',
      'comment-id': '9',
      'comment-url': options.commentUrl,
      turns: '2',
      'input-tokens': '13500',
      'output-tokens': '1200',
      'cache-read-tokens': '12000',
      'cache-write-tokens': '10000',
      'cost-usd': '0.0609',
      'tasks-completed': '1',
      'tasks-total': '3',
      branch: '',
      'pr-number': '',
      'pr-url': '',
      commits: '0',
    });
  });

  it('reports the branch, pull request and commits of a delivered run', () => {
    const state = reduce(finished(), {
      type: 'delivery',
      delivery: {
        branch: 'taskpilot/issue-7-fix',
        commits: 2,
        pushed: true,
        pullRequest: { number: 8, url: 'https://github.com/o/r/pull/8', created: true },
        note: '',
      },
    });
    expect(outputsFor(state)).toMatchObject({
      branch: 'taskpilot/issue-7-fix',
      'pr-number': '8',
      'pr-url': 'https://github.com/o/r/pull/8',
      commits: '2',
    });
    expect(renderJobSummary(state, options)).toContain(
      '**Work:** 🌿 2 commits on `taskpilot/issue-7-fix` · opened [#8](https://github.com/o/r/pull/8)',
    );
  });

  it('has zero counts and conclusion=skipped for a skipped run', () => {
    expect(skippedOutputs()).toMatchObject({
      conclusion: 'skipped',
      turns: '0',
      'comment-id': '',
      'cost-usd': '0.0000',
    });
    expect(outputsFor(initialRunState(), { conclusion: 'cancelled' }).conclusion).toBe('cancelled');
  });

  it('writes them through @actions/core', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outputs-'));
    const file = join(dir, 'output.txt');
    writeFileSync(file, '');
    vi.stubEnv('GITHUB_OUTPUT', file);
    setOutputs(finished(), { commentId: 3 });
    const text = readFileSync(file, 'utf8');
    for (const name of OUTPUT_NAMES) expect(text).toContain(`${name}<<`);
    expect(text).toMatch(/conclusion<<(\S+)\nsuccess\n\1/);
    writeFileSync(file, '');
    setSkippedOutputs();
    expect(readFileSync(file, 'utf8')).toMatch(/conclusion<<(\S+)\nskipped\n\1/);
  });
});

describe('actionsLogReporter', () => {
  it('opens one group per turn and closes it, redacting every line', () => {
    const lines: string[] = [];
    const log: ActionsLog = {
      startGroup: (name) => lines.push(`::group::${name}`),
      endGroup: () => lines.push('::endgroup::'),
      info: (m) => lines.push(m),
      warning: (m) => lines.push(`warning: ${m}`),
      error: (m) => lines.push(`error: ${m}`),
    };
    const report = actionsLogReporter(log);
    const events: AgentEvent[] = [
      ...workingEvents(),
      { type: 'notice', level: 'error', message: 'token ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked' },
      ...endEvents(),
    ];
    for (const event of events) report(event);
    expect(lines).toMatchInlineSnapshot(`
      [
        "taskpilot: model claude-sonnet-5-5",
        "::group::Turn 1",
        "→ bash npm test",
        "✗ bash (4s) 1 failed",
        "turn 1: 22k in (0 cached) / 800 out, $0.051, 9s",
        "::endgroup::",
        "::group::Turn 2",
        "→ edit_file src/date.ts: replace 3 lines",
        "warning: Tool output was truncated to 30000 characters",
        "not shown",
        "error: token *** leaked",
        "✓ edit_file (0s) ok",
        "turn 2: 13.5k in (12k cached) / 400 out, $0.009, 6s",
        "::endgroup::",
        "taskpilot ended (done) after 2 turns, 1m 35s, $0.061",
      ]
    `);
  });
});
