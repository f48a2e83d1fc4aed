import { z } from 'zod';
import { preview } from '../agent/events.js';
import type { BackgroundLauncher } from '../background/jobs-port.js';
import { spawnGroup, stopGroup, type GroupExit } from '../process/process-group.js';
import type { Workspace } from '../workspace/workspace.js';
import { defineTool, type Tool, type ToolResult } from './tool.js';

export const DEFAULT_TIMEOUT_SECONDS = 120;
/** Larger timeout_seconds values are capped to this. */
export const MAX_TIMEOUT_SECONDS = 1800;
/** Output longer than this keeps its first and last halves. */
export const MAX_OUTPUT_CHARS = 30_000;
/** SIGTERM → SIGKILL grace when a command times out. */
const KILL_GRACE_MS = 2000;
/** SIGTERM → SIGKILL grace for processes a finished command left running. */
const LEFTOVER_GRACE_MS = 1000;
/** How long to keep reading once the group is gone (a process that left the group may hold the pipe). */
const DRAIN_MS = 500;

export interface BashToolDeps {
  workspace: Workspace;
  /** The commands' whole environment, already scrubbed (see scrubEnv). */
  env: Record<string, string>;
  /** Default 120. */
  defaultTimeoutSeconds?: number;
  /** When absent every command runs in the foreground and the model is not told about jobs. */
  background?: BackgroundLauncher | undefined;
}

const bashInput = z.object({
  command: z.string().min(1).describe('The bash command to run.'),
  timeout_seconds: z
    .number()
    .positive()
    .optional()
    .describe(
      `Kill the command after this many seconds. Larger values are capped at ${MAX_TIMEOUT_SECONDS}.`,
    ),
  run_in_background: z
    .boolean()
    .optional()
    .describe(
      'true: start as a background job and answer at once; false: run in the foreground. ' +
        'Omit to let the tool decide from the command.',
    ),
});
type BashInput = z.infer<typeof bashInput>;

/**
 * The bash tool. Foreground commands run as `bash -c` in their own process group in the
 * workspace root, with stdin closed and stdout/stderr merged into one pipe (so their order is
 * the order they were written in). The tool always answers with the output and how the command
 * ended; a non-zero exit code is a normal result. On timeout or abort the whole group is killed
 * (isError true). When the command exits, anything it left running in its group is killed.
 */
export function createBashTool(deps: BashToolDeps): Tool<BashInput> {
  const defaultTimeout = Math.min(deps.defaultTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS);
  const background = deps.background;
  return defineTool({
    name: 'bash',
    description: bashDescription(defaultTimeout, background !== undefined),
    // Without a launcher the model is not offered run_in_background at all.
    input: background ? bashInput : (bashInput.omit({ run_in_background: true }) as z.ZodType<BashInput>),
    preview: (input) => preview(input.command, 200),
    async execute(input, ctx) {
      if (background?.shouldBackground(input.command, input.run_in_background)) {
        return background.start(input.command);
      }
      const timeoutSeconds = Math.min(input.timeout_seconds ?? defaultTimeout, MAX_TIMEOUT_SECONDS);
      return runForeground(
        input.command,
        { cwd: deps.workspace.root, env: deps.env, timeoutSeconds },
        ctx.signal,
      );
    },
  });
}

function bashDescription(timeout: number, withBackground: boolean): string {
  const lines = [
    'Run a bash command in the repository root and get its output (stdout and stderr merged) and exit code.',
    '- Each call is a new non-interactive shell with stdin closed: `cd` and `export` do not carry over, and ' +
      'commands must not wait for input (use flags such as --yes, --no-pager, CI=1).',
    `- Timeout: ${timeout} s by default; set timeout_seconds for longer commands (at most ${MAX_TIMEOUT_SECONDS}). ` +
      'On timeout the command and every process it started are killed.',
    '- When the command exits, processes it left running (started with `&`, for example) are killed. Do not ' +
      'start servers or watchers with `&`' +
      (withBackground ? '; use run_in_background instead.' : '.'),
    `- Output longer than ${MAX_OUTPUT_CHARS} characters keeps its beginning and end; pipe through grep, head ` +
      'or tail to see what you need.',
    '- A non-zero exit code is reported in the result; it is not an error of the tool.',
    '- Prefer read_file, write_file and edit_file for reading and changing files.',
  ];
  if (withBackground) {
    lines.push(
      '- Set run_in_background: true for slow commands (dependency installs, builds, full test suites, long ' +
        'scripts) and for servers: the tool answers at once with a job id, you can keep working, and you are ' +
        'notified when the job ends. Set it to false for quick commands whose output you need now.',
    );
  }
  return lines.join('\n');
}

interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutSeconds: number;
}

async function runForeground(command: string, opts: RunOptions, signal: AbortSignal): Promise<ToolResult> {
  if (signal.aborted) return { content: 'Cancelled before the command started.', isError: true };
  // One pipe for both streams: the shell points fd 2 at fd 1 before running the command.
  const proc = spawnGroup(`exec 2>&1\n${command}`, { cwd: opts.cwd, env: opts.env, output: 'pipe' });
  if (proc.pgid <= 0) throw new Error('Could not start bash');
  const output = new HeadTail(MAX_OUTPUT_CHARS);
  const stdout = proc.child.stdout;
  const drained = new Promise<void>((resolve) => {
    if (!stdout) return resolve();
    stdout.setEncoding('utf8');
    stdout.on('data', (chunk: string) => output.push(chunk));
    stdout.once('end', resolve);
    stdout.once('error', () => resolve());
  });
  proc.child.stderr?.resume();

  let stop: 'timeout' | 'abort' | undefined;
  let onStop = (): void => undefined;
  const stopped = new Promise<void>((resolve) => (onStop = resolve));
  const timer = setTimeout(() => {
    stop = 'timeout';
    onStop();
  }, opts.timeoutSeconds * 1000);
  const onAbort = (): void => {
    stop ??= 'abort';
    onStop();
  };
  signal.addEventListener('abort', onAbort, { once: true });

  let exit: GroupExit | undefined;
  try {
    exit = await Promise.race([proc.exited, stopped.then(() => undefined)]);
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    // Either the leader exited (kill what it left behind) or we are stopping it (kill it all).
    const grace = stop === 'abort' ? 500 : stop === 'timeout' ? KILL_GRACE_MS : LEFTOVER_GRACE_MS;
    await stopGroup(proc.pgid, grace);
    exit ??= await proc.exited;
    await Promise.race([drained, sleep(DRAIN_MS)]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    stdout?.destroy();
    proc.child.stderr?.destroy();
  }

  const out = output.text() || '(no output)';
  const text = out.endsWith('\n') ? out.slice(0, -1) : out;
  if (stop === 'timeout') {
    return {
      content: `${text}\n\nTimed out after ${opts.timeoutSeconds} s: the command and every process it started were killed.`,
      isError: true,
    };
  }
  if (stop === 'abort') {
    return {
      content: `${text}\n\nCancelled: the command and every process it started were killed.`,
      isError: true,
    };
  }
  return { content: `${text}\n\n${describeExit(exit)}`, isError: false };
}

function describeExit(exit: GroupExit): string {
  if (exit.code !== null) return `exit code ${exit.code}`;
  if (exit.signal !== null) return `killed by signal ${exit.signal}`;
  return 'bash could not be started';
}

/**
 * Keeps the first `limit / 2` and the last `limit / 2` characters of a stream and counts the
 * rest, so memory stays bounded whatever the command prints.
 */
class HeadTail {
  private head = '';
  private tail = '';
  private total = 0;
  private readonly half: number;

  constructor(private readonly limit: number) {
    this.half = Math.floor(limit / 2);
  }

  push(chunk: string): void {
    this.total += chunk.length;
    if (this.head.length < this.half) {
      const room = this.half - this.head.length;
      this.head += chunk.slice(0, room);
      chunk = chunk.slice(room);
    }
    if (chunk === '') return;
    this.tail += chunk;
    // Trim lazily so that appending stays amortised O(1) per character.
    if (this.tail.length > 2 * (this.limit - this.half))
      this.tail = this.tail.slice(-(this.limit - this.half));
  }

  text(): string {
    const tail = this.tail.slice(-(this.limit - this.half));
    const cut = this.total - this.head.length - tail.length;
    if (cut <= 0) return this.head + tail;
    return `${this.head}\n\n[… ${cut.toLocaleString('en-US')} characters cut from the middle of the output …]\n\n${tail}`;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
