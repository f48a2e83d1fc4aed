import { existsSync } from 'node:fs';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BackgroundLauncher } from '../../src/background/jobs-port.js';
import { createBashTool, type BashToolDeps } from '../../src/tools/bash.js';
import type { ToolResult } from '../../src/tools/tool.js';
import { scrubEnv } from '../../src/workspace/child-env.js';
import { Workspace } from '../../src/workspace/workspace.js';

let root: string;
let ws: Workspace;
const env = scrubEnv(process.env);
/** Processes a test leaves outside the tool's reach; killed after each test. */
const strays: number[] = [];

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'taskpilot-bash-')));
  ws = await Workspace.open(root);
});
afterEach(() => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function bash(
  input: Record<string, unknown>,
  opts: { signal?: AbortSignal; deps?: Partial<BashToolDeps> } = {},
): Promise<ToolResult & { ms: number }> {
  const tool = createBashTool({ workspace: ws, env, ...opts.deps });
  const started = Date.now();
  const out = await tool.execute(tool.schema.parse(input), {
    signal: opts.signal ?? new AbortController().signal,
    toolUseId: 'tu_1',
  });
  const result = typeof out === 'string' ? { content: out } : out;
  return { ...result, ms: Date.now() - started };
}

async function pidFrom(file: string): Promise<number> {
  return Number((await readFile(join(root, file), 'utf8')).trim());
}

/** Alive and not a zombie (this machine's PID 1 may not reap orphans). */
async function running(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    if (existsSync('/proc/self/stat')) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

describe('bash tool: foreground', () => {
  it('returns the output and exit code 0, run from the workspace root', async () => {
    const r = await bash({ command: 'echo hello; pwd' });
    expect(r.content).toBe(`hello\n${root}\n\nexit code 0`);
    expect(r.isError).toBe(false);
  });

  it('reports a non-zero exit code as a normal result', async () => {
    const r = await bash({ command: 'echo failing >&2; exit 3' });
    expect(r.content).toContain('failing');
    expect(r.content).toMatch(/exit code 3$/);
    expect(r.isError).toBe(false);
  });

  it('says so when there is no output, and when the shell dies of a signal', async () => {
    expect((await bash({ command: 'true' })).content).toBe('(no output)\n\nexit code 0');
    expect((await bash({ command: 'kill -SEGV $$' })).content).toMatch(/killed by signal SIGSEGV$/);
  });

  it('keeps stdout and stderr in the order they were written', async () => {
    const command = 'for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done';
    const r = await bash({ command });
    expect(r.content).toContain('out1\nerr1\nout2\nerr2\nout3\nerr3\nout4\nerr4\nout5\nerr5\n');
  });

  it('does not pass credentials to the command', async () => {
    const secretEnv = scrubEnv({
      ...process.env,
      ANTHROPIC_API_KEY: 'sk-ant-value-1',
      GITHUB_TOKEN: 'ghs_value_2',
      FOO_SECRET: 'foo-value-3',
    });
    const r = await bash({ command: 'env' }, { deps: { env: secretEnv } });
    expect(r.content).toContain('GIT_TERMINAL_PROMPT=0');
    expect(r.content).toMatch(/^PATH=/m);
    for (const value of ['sk-ant-value-1', 'ghs_value_2', 'foo-value-3'])
      expect(r.content).not.toContain(value);
  });

  it('keeps the head and tail of long output and says how much was cut', async () => {
    const r = await bash({ command: "printf HEAD; head -c 100000 /dev/zero | tr '\\0' x; printf TAIL" });
    expect(r.content.startsWith('HEADxxx')).toBe(true);
    expect(r.content).toMatch(/xxxTAIL\n\nexit code 0$/);
    expect(r.content).toContain('70,008 characters cut');
    expect(r.content.length).toBeLessThan(30_200);
  });

  it('streams a huge output without holding it in memory', async () => {
    const before = process.memoryUsage().rss;
    const r = await bash({ command: 'yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 300000000' });
    expect(r.content).toContain(`${(300_000_000 - 30_000).toLocaleString('en-US')} characters cut`);
    expect(r.content).toMatch(/exit code 0$/);
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
  }, 60_000);
});

describe('bash tool: stopping', () => {
  it('kills the whole group on timeout, grandchildren included', async () => {
    const r = await bash({
      command: 'sleep 60 & echo $! > tgc.pid; echo started; sleep 60',
      timeout_seconds: 0.5,
    });
    expect(r.isError).toBe(true);
    expect(r.content).toContain('started');
    expect(r.content).toMatch(/Timed out after 0\.5 s/);
    expect(await running(await pidFrom('tgc.pid'))).toBe(false);
    expect(r.ms).toBeLessThan(5000);
  });

  it('escalates to SIGKILL for a grandchild that ignores SIGTERM', async () => {
    const command = `bash -c 'trap "" TERM; echo $$ > stubborn.pid; while :; do sleep 0.1; done' & sleep 60`;
    const r = await bash({ command, timeout_seconds: 0.5 });
    expect(r.content).toMatch(/Timed out/);
    expect(await running(await pidFrom('stubborn.pid'))).toBe(false);
  });

  it('uses the configured default timeout', async () => {
    const r = await bash({ command: 'sleep 30' }, { deps: { defaultTimeoutSeconds: 0.3 } });
    expect(r.content).toMatch(/Timed out after 0\.3 s/);
    expect(r.ms).toBeLessThan(5000);
  });

  it('kills the group when the signal aborts', async () => {
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 300);
    const r = await bash({ command: 'sleep 60 & echo $! > abort.pid; sleep 60' }, { signal: ctrl.signal });
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/Cancelled/);
    expect(await running(await pidFrom('abort.pid'))).toBe(false);
    expect(r.ms).toBeLessThan(5000);
  });

  it('does not start the command when the signal has already fired', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    const r = await bash({ command: 'touch never-run' }, { signal: ctrl.signal });
    expect(r.isError).toBe(true);
    expect(existsSync(join(root, 'never-run'))).toBe(false);
  });

  it('kills what the command left running once it exits, and returns promptly', async () => {
    const r = await bash({ command: 'sleep 60 & echo $! > left.pid; echo done' });
    expect(r.content).toBe('done\n\nexit code 0');
    expect(await running(await pidFrom('left.pid'))).toBe(false);
    expect(r.ms).toBeLessThan(5000);
  });

  it('returns promptly when a process outside the group holds the pipe open', async () => {
    // The escaped process has left the group (setsid) before the command exits, so it survives.
    const command =
      "setsid bash -c 'echo $$ > escaped.pid; exec sleep 60' & " +
      'while [ ! -s escaped.pid ]; do sleep 0.05; done; echo started';
    const r = await bash({ command });
    const escaped = await pidFrom('escaped.pid');
    strays.push(escaped);
    expect(r.content).toBe('started\n\nexit code 0');
    expect(r.ms).toBeLessThan(3000);
    expect(await running(escaped)).toBe(true);
  });
});

describe('bash tool: background jobs', () => {
  function launcher(backgroundWhen: (explicit: boolean | undefined) => boolean) {
    const calls: { command: string; explicit: boolean | undefined }[] = [];
    const started: string[] = [];
    const background: BackgroundLauncher = {
      shouldBackground: (command, explicit) => {
        calls.push({ command, explicit });
        return backgroundWhen(explicit);
      },
      start: (command) => {
        started.push(command);
        return `Started job job-1: ${command}`;
      },
    };
    return { background, calls, started };
  }

  it('hands the command to the launcher when it asks for the background', async () => {
    const { background, calls, started } = launcher((explicit) => explicit === true);
    const r = await bash({ command: 'touch bg-marker', run_in_background: true }, { deps: { background } });
    expect(r.content).toBe('Started job job-1: touch bg-marker');
    expect(calls).toEqual([{ command: 'touch bg-marker', explicit: true }]);
    expect(started).toEqual(['touch bg-marker']);
    expect(existsSync(join(root, 'bg-marker'))).toBe(false);
  });

  it('runs in the foreground when the launcher declines, passing the flag as given', async () => {
    const { background, calls, started } = launcher(() => false);
    const r = await bash({ command: 'echo fg', run_in_background: false }, { deps: { background } });
    expect(r.content).toBe('fg\n\nexit code 0');
    await bash({ command: 'echo fg' }, { deps: { background } });
    expect(calls.map((c) => c.explicit)).toEqual([false, undefined]);
    expect(started).toEqual([]);
  });

  it('offers run_in_background to the model only when a launcher is wired', () => {
    const withJobs = createBashTool({ workspace: ws, env, background: launcher(() => false).background });
    const without = createBashTool({ workspace: ws, env });
    expect(withJobs.description).toContain('run_in_background');
    expect(withJobs.spec.input_schema['properties']).toHaveProperty('run_in_background');
    expect(without.description).not.toContain('background');
    expect(without.spec.input_schema['properties']).not.toHaveProperty('run_in_background');
  });
});

describe('bash tool: input', () => {
  it('rejects an empty command and a non-positive timeout', () => {
    const tool = createBashTool({ workspace: ws, env });
    expect(tool.schema.safeParse({ command: '' }).success).toBe(false);
    expect(tool.schema.safeParse({ command: 'ls', timeout_seconds: 0 }).success).toBe(false);
    expect(tool.preview(tool.schema.parse({ command: 'npm test\n  --watch=false' }))).toBe(
      'npm test --watch=false',
    );
  });
});
