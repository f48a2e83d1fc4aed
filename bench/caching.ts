import { rmSync } from 'node:fs';
import { runEngine } from '../src/engine.js';
import {
  EMULATOR_API_KEY,
  startAnthropicEmulator,
  text,
  thinking,
  toolUse,
  type ReplyBlock,
  type ReplyUsage,
} from '../test/support/anthropic-emulator.js';
import { createBenchRepo, type BenchRepo } from './repo-fixture.js';
import { check, info, type BenchRow } from './rows.js';

const TURNS = 30;
const MIN_SHARE = 0.9;
/** The smallest cacheable prefix on the Sonnet models; the emulator's default (0) would flatter short prefixes. */
const MIN_CACHE_TOKENS = 1024;
/** $ per million tokens on claude-sonnet-5-5: input, cache write (1.25×), cache read (0.1×). */
const PRICE = { input: 2, write: 2.5, read: 0.2 };

/**
 * Prompt caching: a 30-turn session through the real engine (runEngine: the real system prompt,
 * tools, Anthropic adapter and its cache_control placement) against the Messages API emulator,
 * which accounts usage with Anthropic's prefix rules (reads up to a breakpoint whose exact
 * prefix an earlier request wrote, writes up to the last breakpoint, the rest uncached;
 * tokens = chars / 4; prefixes under 1,024 tokens are not cached).
 *
 * The session is what a fix looks like: list and read files of 2–6 KB (sometimes three at once),
 * plan on the task board, run a test script (a failing run of ~4 KB, then passing ones), edit,
 * write a file, and a final summary. Every model turn starts with a thinking block, as the 5.5
 * models send text between tool calls.
 */
export async function benchCaching(): Promise<BenchRow[]> {
  const repo = createBenchRepo();
  const api = await startAnthropicEmulator({ minCacheTokens: MIN_CACHE_TOKENS });
  try {
    const turns = session(repo);
    if (turns.length !== TURNS) throw new Error(`caching: the script has ${turns.length} turns`);
    api.script(...turns);
    const failedTools: string[] = [];
    const result = await runEngine({
      cwd: repo.root,
      prompt:
        'Issue #12: parseRecord3x2 crashes on a line without a name instead of reporting it. Please fix it and add a test.',
      apiKey: EMULATOR_API_KEY,
      baseURL: api.url,
      model: 'claude-sonnet-5-5',
      maxTokens: 16_000,
      budget: { maxTurns: 60, limitMinutes: 45, startedAt: Date.now() },
      commandTimeoutSeconds: 120,
      backgroundTimeoutMinutes: 30,
      maxBackgroundJobs: 4,
      tasksDir: '.tasks',
      memoryFile: '.memory/MEMORY.md',
      excludeTasksFromGit: false,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: repo.root },
      logDir: repo.root,
      emit: (e) => {
        if (e.type === 'tool_end' && e.isError) failedTools.push(`${e.name}: ${e.preview}`);
      },
      signal: new AbortController().signal,
      onBug: (e) => {
        throw e;
      },
    });
    if (result.reason !== 'done' || result.turns !== TURNS) {
      throw new Error(
        `caching: the session ended ${result.reason} after ${result.turns} turns: ${result.error ?? ''}`,
      );
    }
    // The session must do what it says: a tool error would shorten the prompt being measured.
    if (failedTools.length > 0) throw new Error(`caching: tool calls failed: ${failedTools.join('; ')}`);
    const errors = api.requests.filter((r) => r.error !== undefined);
    if (errors.length > 0)
      throw new Error(`caching: the emulator refused a request: ${errors[0]?.error ?? ''}`);
    return cachingRows(api.totals, `${TURNS}-turn session`);
  } finally {
    await api.close();
    rmSync(repo.root, { recursive: true, force: true });
  }
}

/** The share row and its breakdown, from usage summed over a session. */
export function cachingRows(t: ReplyUsage, what: string, target = true): BenchRow[] {
  const prompt = t.input_tokens + t.cache_read_input_tokens + t.cache_creation_input_tokens;
  const share = t.cache_read_input_tokens / prompt;
  const cost =
    (t.input_tokens * PRICE.input +
      t.cache_creation_input_tokens * PRICE.write +
      t.cache_read_input_tokens * PRICE.read) /
    1e6;
  const uncached = (prompt * PRICE.input) / 1e6;
  return [
    target
      ? check(`cache-read share of input tokens, ${what}`, share, '', MIN_SHARE, { bound: 'min', digits: 3 })
      : info(`cache-read share of input tokens, ${what}`, share, '', 3),
    info('  prompt tokens: cache reads', t.cache_read_input_tokens, 'tokens', 0),
    info('  prompt tokens: cache writes', t.cache_creation_input_tokens, 'tokens', 0),
    info('  prompt tokens: uncached input', t.input_tokens, 'tokens', 0),
    info('  prompt cost relative to no caching', cost / uncached, '×', 3),
  ];
}

/** The scripted model's 30 replies. */
function session(repo: BenchRepo): ReplyBlock[][] {
  /** Source file n (1-based). */
  const m = (n: number): string => {
    const file = repo.files[n - 1];
    if (file === undefined) throw new Error(`caching: the bench repository has no module ${n}`);
    return file;
  };
  const turn = (thought: string, ...calls: ReplyBlock[]): ReplyBlock[] => [thinking(thought), ...calls];
  const read = (path: string) => toolUse('read_file', { path });
  const bash = (command: string) => toolUse('bash', { command, run_in_background: false });
  const tests = () => bash('sh scripts/test.sh');
  const fixLine = (file: string) => repo.uniqueLine(file);
  const edit = (file: string) =>
    toolUse('edit_file', {
      path: file,
      old_string: fixLine(file),
      new_string: fixLine(file).replace('throw new Error(', 'throw new RangeError('),
    });
  return [
    turn('Start by looking at the layout of the repository.', bash('ls -la && ls src scripts')),
    turn('Read the README for the test command.', read('README.md')),
    turn('Run the tests to see the failure.', tests()),
    turn(
      'Plan the work on the board.',
      toolUse('create_task', { subject: 'Reproduce the crash in parseRecord3x2' }),
      toolUse('create_task', { subject: 'Fix parseRecord3x2', blockedBy: ['t1'] }),
      toolUse('create_task', { subject: 'Add a regression test', blockedBy: ['t2'] }),
    ),
    turn('Claim the first task.', toolUse('claim_task', { task_id: 't1' })),
    turn('The failing module first.', read(m(3))),
    turn('Where else is the record shape used?', bash('grep -rn "Record3" src | head -40')),
    turn('Compare with the neighbouring modules.', read(m(2)), read(m(4))),
    turn('And the first module, which has the same parser.', read(m(1))),
    turn(
      'Reproduced: the name is read before the check.',
      toolUse('complete_task', { task_id: 't1', result: 'name.trim() runs on undefined' }),
    ),
    turn('Claim the fix.', toolUse('claim_task', { task_id: 't2' })),
    turn('Fix the check in module 3.', edit(m(3))),
    turn('Run the tests again.', tests()),
    turn('The same pattern exists in modules 5 and 6.', read(m(5)), read(m(6))),
    turn('Fix module 5.', edit(m(5))),
    turn('Fix module 6.', edit(m(6))),
    turn('Check the other parsers.', read(m(7)), read(m(8)), read(m(9))),
    turn('Fix module 7.', edit(m(7))),
    turn('Tests again.', tests()),
    turn('Fix done.', toolUse('complete_task', { task_id: 't2' })),
    turn('Claim the test task.', toolUse('claim_task', { task_id: 't3' })),
    turn('See how tests are laid out.', bash('ls scripts && cat package.json')),
    turn(
      'Write the regression test.',
      toolUse('write_file', {
        path: 'test/module-03.test.ts',
        content: `import { parseRecord3x1 } from '../src/module-03.js';\n\n// Regression: a line without a name must be reported, not crash.\n${'// case\n'.repeat(20)}`,
      }),
    ),
    turn('Run everything.', tests()),
    turn('Look at two more modules that might share the bug.', read(m(10)), read(m(11))),
    turn('Module 12 too.', read(m(12))),
    turn('They are fine. Close the task.', toolUse('complete_task', { task_id: 't3' })),
    turn('Review the board.', toolUse('list_tasks', {})),
    turn('Final check of the diff.', bash('grep -rn "RangeError" src | head -20')),
    [
      thinking('Summarize.'),
      text(
        'Fixed parseRecord3x2 (and the same check in modules 5–7): a line without a name now throws "expected id and name" instead of crashing. Added test/module-03.test.ts; the tests pass.',
      ),
    ],
  ];
}
