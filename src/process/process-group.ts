import { spawn, type ChildProcess } from 'node:child_process';

export interface GroupExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GroupProcess {
  readonly child: ChildProcess;
  /** The process group id (the leader's pid). */
  readonly pgid: number;
  /** Resolves once the leader has exited. Never rejects. */
  readonly exited: Promise<GroupExit>;
}

/**
 * Runs `bash -c command` as the leader of a new process group, so the whole tree
 * (grandchildren included) can be signalled at once. stdout and stderr both go to `output`
 * when given (a file descriptor or stream), else are piped.
 */
export function spawnGroup(
  command: string,
  opts: { cwd: string; env: NodeJS.ProcessEnv; output?: number | 'pipe' },
): GroupProcess {
  const out = opts.output ?? 'pipe';
  const child = spawn('bash', ['-c', command], {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  const exited = new Promise<GroupExit>((resolve) => {
    child.once('error', () => resolve({ code: null, signal: null }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  if (child.pid === undefined) {
    return { child, pgid: -1, exited };
  }
  return { child, pgid: child.pid, exited };
}

/** Sends `signal` to every process in the group. Returns false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  if (pgid <= 0) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** True while any process of the group is alive. */
export function groupAlive(pgid: number): boolean {
  return signalGroup(pgid, 0);
}

/**
 * SIGTERM to the group, then SIGKILL after `graceMs` if anything in it is still alive.
 * Resolves once the group is gone (or after a final SIGKILL and a short wait).
 */
export async function killGroup(pgid: number, graceMs = 2000): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await delay(25);
    if (!groupAlive(pgid)) return;
  }
  signalGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 40 && groupAlive(pgid); i++) await delay(25);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
