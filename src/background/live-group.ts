import { readdirSync, readFileSync } from 'node:fs';
import { signalGroup } from '../process/process-group.js';

/**
 * Zombie-aware process-group liveness and stopping.
 *
 * A job's grandchildren are re-parented when their parent dies. Where PID 1 does not reap
 * (container jobs whose PID 1 is `tail -f /dev/null`, some VM inits), they stay zombies:
 * dead, holding nothing but a pid, yet `kill(-pgid, 0)` still succeeds for their group.
 * So on Linux a group counts as alive only while /proc shows a member that is not a zombie;
 * elsewhere `kill(-pgid, 0)` decides.
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
    const state = processState(entry);
    if (state === undefined || state.pgrp !== pgid) continue;
    sawMember = true;
    if (state.state !== 'Z' && state.state !== 'X') return true;
  }
  // kill() saw the group but /proc did not: /proc belongs to another pid namespace.
  return !sawMember;
}

/** The state letter and process group of `pid`, from /proc/<pid>/stat. */
export function processState(pid: number | string): { state: string; pgrp: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may itself contain ") ".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
}

/** True while `pid` exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  const state = processState(pid)?.state;
  return state !== 'Z' && state !== 'X';
}

/**
 * SIGTERM (and SIGCONT, so stopped members see it) to the whole group, then SIGKILL once
 * `graceMs` has passed with a member still alive. Resolves when no live member is left, or
 * 2 s after the SIGKILL (a process in uninterruptible sleep). Never rejects; a missing group
 * resolves at once.
 */
export async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  signalGroup(pgid, 'SIGCONT');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await delay(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
    if (!groupHasLiveProcess(pgid)) return;
  }
  signalGroup(pgid, 'SIGKILL');
  for (let waited = 0; waited < 2000 && groupHasLiveProcess(pgid); waited += POLL_MS) {
    await delay(POLL_MS);
  }
}

const POLL_MS = 20;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
