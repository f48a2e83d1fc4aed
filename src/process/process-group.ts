import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

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

/**
 * True while a member of the group is alive; zombies do not count.
 *
 * A group's members are re-parented when their parent dies. Where PID 1 does not reap
 * (container jobs whose PID 1 is `tail -f /dev/null`, some VM inits), they stay zombies:
 * dead, holding nothing but a pid, yet `kill(-pgid, 0)` still succeeds for their group.
 * So on Linux a group counts as alive only while /proc shows a member that is not a zombie.
 * Without a usable /proc (other platforms, /proc not mounted, or a /proc of another pid
 * namespace) `kill(-pgid, 0)` decides.
 */
export function groupHasLiveProcess(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  let sawMember = false;
  for (const entry of entries) {
    const code = entry.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const stat = processStat(entry);
    if (stat === undefined || stat.pgrp !== pgid) continue;
    sawMember = true;
    if (stat.state !== 'Z' && stat.state !== 'X') return true;
  }
  // kill() saw the group but /proc did not: /proc belongs to another pid namespace.
  return !sawMember;
}

/** True while `pid` exists and is not a zombie (on Linux with /proc; elsewhere while it exists). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  const state = processStat(pid)?.state;
  return state !== 'Z' && state !== 'X';
}

/**
 * SIGTERM (and SIGCONT, so stopped members see it) to the whole group, then SIGKILL once
 * `graceMs` has passed with a member still alive. Resolves when no live member is left, or
 * 2 s after the SIGKILL (a process in uninterruptible sleep). Never rejects; a group with no
 * live member (gone, or only zombies) resolves at once without being signalled.
 */
export async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  if (!groupHasLiveProcess(pgid)) return;
  if (!signalGroup(pgid, 'SIGTERM')) return;
  signalGroup(pgid, 'SIGCONT');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await delay(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
    if (!groupHasLiveProcess(pgid)) return;
  }
  signalGroup(pgid, 'SIGKILL');
  for (let waited = 0; waited < KILL_WAIT_MS && groupHasLiveProcess(pgid); waited += POLL_MS) {
    await delay(POLL_MS);
  }
}

const POLL_MS = 20;
/** How long stopGroup waits for members to die after SIGKILL. */
const KILL_WAIT_MS = 2000;

/** The state letter and process group of `pid`, from /proc/<pid>/stat. */
function processStat(pid: number | string): { state: string; pgrp: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp …"; comm may itself contain ") ".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
