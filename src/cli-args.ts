import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

export const USAGE = `taskpilot: run a coding agent on a local directory

Usage:
  taskpilot run [options] "PROMPT"
  taskpilot run [options] --prompt-file FILE

Options:
  --cwd DIR                 Workspace to work in (default: the current directory)
  --model M                 Model (default: claude-sonnet-5-5)
  --fallback-model M        Model to switch to after 3 consecutive overloaded errors
  --max-turns N             Model turns before winding down (default: 60)
  --timeout-minutes N       Time limit; the agent winds down before it (default: 45)
  --max-cost-usd N          Cost budget in USD; winds down when reached (default: none)
  --max-tokens N            Output token limit per model turn (default: 16000)
  --prompt-file F           Read the prompt from a file
  --tasks-dir DIR           Task board directory, relative to the workspace (default: .tasks)
  --memory-file F           Memory index included in the prompt (default: .memory/MEMORY.md)
  -h, --help                Show this help

Environment:
  ANTHROPIC_API_KEY         Required.
  ANTHROPIC_BASE_URL        Optional API endpoint (default: the SDK's).

Exit code: 0 when the agent finished its work, 1 when it stopped for any other reason
(turn, time or cost limit, error, cancellation), 2 for a usage error.`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliOptions {
  cwd: string;
  prompt: string;
  model: string;
  fallbackModel: string | undefined;
  maxTurns: number;
  timeoutMinutes: number;
  maxCostUsd: number | undefined;
  maxTokens: number;
  tasksDir: string;
  memoryFile: string;
}

/** Parses `run …` arguments. Throws UsageError naming the bad flag. Returns 'help' for -h. */
export async function parseCli(argv: readonly string[], cwd: string): Promise<CliOptions | 'help'> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        cwd: { type: 'string' },
        model: { type: 'string' },
        'fallback-model': { type: 'string' },
        'max-turns': { type: 'string' },
        'timeout-minutes': { type: 'string' },
        'max-cost-usd': { type: 'string' },
        'max-tokens': { type: 'string' },
        'prompt-file': { type: 'string' },
        'tasks-dir': { type: 'string' },
        'memory-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const { values: v, positionals } = parsed;
  if (v.help) return 'help';
  const [command, ...words] = positionals;
  if (command !== 'run')
    throw new UsageError(command ? `unknown command "${command}"` : 'missing command "run"');
  let prompt = words.join(' ').trim();
  if (v['prompt-file'] !== undefined) {
    if (prompt) throw new UsageError('give the prompt either as an argument or with --prompt-file, not both');
    try {
      prompt = (await readFile(path.resolve(cwd, v['prompt-file']), 'utf8')).trim();
    } catch (e) {
      throw new UsageError(`--prompt-file: cannot read ${v['prompt-file']}: ${(e as Error).message}`);
    }
  }
  if (!prompt) throw new UsageError('missing PROMPT');
  const maxCost = v['max-cost-usd'];
  return {
    cwd: path.resolve(cwd, v.cwd ?? '.'),
    prompt,
    model: nonEmpty('--model', v.model ?? 'claude-sonnet-5-5'),
    fallbackModel:
      v['fallback-model'] === undefined ? undefined : nonEmpty('--fallback-model', v['fallback-model']),
    maxTurns: number('--max-turns', v['max-turns'] ?? '60', { integer: true, min: 1 }),
    timeoutMinutes: number('--timeout-minutes', v['timeout-minutes'] ?? '45', { min: 0.1 }),
    maxCostUsd:
      maxCost === undefined ? undefined : number('--max-cost-usd', maxCost, { min: 0, exclusive: true }),
    maxTokens: number('--max-tokens', v['max-tokens'] ?? '16000', { integer: true, min: 1 }),
    tasksDir: nonEmpty('--tasks-dir', v['tasks-dir'] ?? '.tasks'),
    memoryFile: nonEmpty('--memory-file', v['memory-file'] ?? '.memory/MEMORY.md'),
  };
}

function nonEmpty(flag: string, value: string): string {
  if (!value.trim()) throw new UsageError(`${flag} must not be empty`);
  return value.trim();
}

function number(
  flag: string,
  raw: string,
  rule: { integer?: boolean; min: number; exclusive?: boolean },
): number {
  const n = Number(raw);
  const kind = rule.integer ? 'a whole number' : 'a number';
  if (raw.trim() === '' || !Number.isFinite(n) || (rule.integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be ${kind}, got "${raw}"`);
  }
  if (rule.exclusive ? n <= rule.min : n < rule.min) {
    throw new UsageError(
      `${flag} must be ${rule.exclusive ? 'greater than' : 'at least'} ${rule.min}, got ${raw}`,
    );
  }
  return n;
}
