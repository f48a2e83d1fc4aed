import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import {
  groupHasLiveProcess,
  processAlive,
  signalGroup,
  spawnGroup,
  stopGroup,
  type GroupProcess,
} from '../../src/process/process-group.js';

/** Groups a test started; SIGKILLed after each test whatever happened. */
const started: number[] = [];
afterEach(() => {
  for (const pgid of started.splice(0)) signalGroup(pgid, 'SIGKILL');
});

function start(command: string): GroupProcess {
  const group = spawnGroup(command, { cwd: tmpdir(), env: process.env });
  expect(group.pgid).toBeGreaterThan(0);
  started.push(group.pgid);
  return group;
}

/** Resolves with the first line the group prints. */
function firstLine(group: GroupProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const stdout = group.child.stdout;
    if (!stdout) return reject(new Error('no stdout'));
    stdout.setEncoding('utf8');
    stdout.on('data', (chunk: string) => {
      out += chunk;
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('groupHasLiveProcess', () => {
  it('counts a group whose grandchild has exited as dead, zombie or not', async () => {
    // The leader exits at once, orphaning `sleep`, which exits 100 ms later. Where PID 1 does not
    // reap, the sleep stays a zombie in the group: kill(-pgid, 0) still succeeds, but nothing runs.
    const group = start('sleep 0.1 & echo $!');
    const orphan = Number(await firstLine(group));
    await group.exited;
    expect(processAlive(orphan)).toBe(true);
    expect(groupHasLiveProcess(group.pgid)).toBe(true);
    await sleep(300);
    expect(processAlive(orphan)).toBe(false);
    expect(groupHasLiveProcess(group.pgid)).toBe(false);
  });

  it('is false for a group that never existed', () => {
    expect(groupHasLiveProcess(-1)).toBe(false);
    expect(groupHasLiveProcess(2 ** 22 + 1)).toBe(false);
  });
});

describe('stopGroup', () => {
  it('escalates to SIGKILL when a grandchild ignores SIGTERM', async () => {
    // The subshell ignores TERM before printing its pid, and `sleep` inherits the disposition.
    const group = start(`(trap '' TERM; echo $BASHPID; exec sleep 30) & wait`);
    const grandchild = Number(await firstLine(group));
    expect(processAlive(grandchild)).toBe(true);

    const graceMs = 300;
    const t0 = Date.now();
    await stopGroup(group.pgid, graceMs);
    const elapsed = Date.now() - t0;

    expect(elapsed).toBeGreaterThanOrEqual(graceMs - 5);
    expect(elapsed).toBeLessThan(graceMs + 1500);
    expect(processAlive(grandchild)).toBe(false);
    expect(groupHasLiveProcess(group.pgid)).toBe(false);
    // The leader took the SIGTERM.
    expect(await group.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('stops a group that exits on SIGTERM without waiting for the grace', async () => {
    const group = start('sleep 30 & wait');
    await sleep(50);
    const t0 = Date.now();
    await stopGroup(group.pgid, 5000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(groupHasLiveProcess(group.pgid)).toBe(false);
  });

  it('returns promptly, well under its grace, when the group is already dead', async () => {
    // Gone entirely: the leader exited and was reaped.
    const gone = start('exit 0');
    await gone.exited;
    // Only a zombie left (where PID 1 does not reap): the orphaned sleep has exited.
    const zombies = start('sleep 0.05 &');
    await zombies.exited;
    await sleep(250);

    for (const pgid of [gone.pgid, zombies.pgid, -1]) {
      const t0 = Date.now();
      await stopGroup(pgid, 5000);
      expect(Date.now() - t0, `pgid ${pgid}`).toBeLessThan(100);
    }
  });
});
