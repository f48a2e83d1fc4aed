import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../src/cli-args.js';

describe('parseCli', () => {
  it('applies the documented defaults', async () => {
    expect(await parseCli(['run', 'fix', 'the', 'bug'], '/repo')).toEqual({
      cwd: '/repo',
      prompt: 'fix the bug',
      model: 'claude-sonnet-5-5',
      fallbackModel: undefined,
      maxTurns: 60,
      timeoutMinutes: 45,
      maxCostUsd: undefined,
      maxTokens: 16000,
      tasksDir: '.tasks',
      memoryFile: '.memory/MEMORY.md',
    });
  });

  it('reads every flag', async () => {
    const opts = await parseCli(
      [
        'run',
        '--cwd',
        'sub',
        '--model',
        'claude-opus-5-5',
        '--fallback-model',
        'claude-haiku-5-5',
        '--max-turns',
        '5',
        '--timeout-minutes',
        '1.5',
        '--max-cost-usd',
        '0.25',
        'go',
      ],
      '/repo',
    );
    expect(opts).toMatchObject({
      cwd: '/repo/sub',
      model: 'claude-opus-5-5',
      fallbackModel: 'claude-haiku-5-5',
      maxTurns: 5,
      timeoutMinutes: 1.5,
      maxCostUsd: 0.25,
    });
  });

  it('reads the prompt from --prompt-file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tp-cli-'));
    await writeFile(path.join(dir, 'p.md'), '  refactor the parser\n');
    expect(await parseCli(['run', '--prompt-file', 'p.md'], dir)).toMatchObject({
      prompt: 'refactor the parser',
    });
  });

  it.each([
    [['run', '--max-turns', 'ten', 'x'], '--max-turns must be a whole number, got "ten"'],
    [['run', '--max-turns', '0', 'x'], '--max-turns must be at least 1, got 0'],
    [['run', '--max-turns', '2.5', 'x'], '--max-turns must be a whole number'],
    [['run', '--max-cost-usd=-1', 'x'], '--max-cost-usd must be greater than 0, got -1'],
    [['run', '--timeout-minutes', '', 'x'], '--timeout-minutes must be a number'],
    [['run', '--bogus', 'x'], "Unknown option '--bogus'"],
    [['run'], 'missing PROMPT'],
    [['go', 'x'], 'unknown command "go"'],
    [['run', '--prompt-file', '/nonexistent/p.md'], '--prompt-file: cannot read /nonexistent/p.md'],
  ])('refuses %j with a clear message', async (argv, message) => {
    const attempt = parseCli(argv, '/repo');
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('answers help', async () => {
    expect(await parseCli(['--help'], '/repo')).toBe('help');
  });
});
