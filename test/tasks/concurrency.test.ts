import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonTaskStore } from '../../src/tasks/json-task-store.js';
import { TaskSchema } from '../../src/tasks/task.js';
import { tempWorkspace } from './helpers.js';

const WORKER = fileURLToPath(new URL('./fixtures/board-worker.ts', import.meta.url));
const PROJECT = fileURLToPath(new URL('../..', import.meta.url));

let root: string;
let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ root, cleanup } = tempWorkspace());
  dir = join(root, '.tasks');
});
afterEach(() => cleanup());

interface Outcome {
  /** The worker's last stdout line, parsed as JSON when it is. */
  result: unknown;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

interface Worker {
  /** Resolves when the worker waits at the barrier before `step`. */
  ready(step: number): Promise<void>;
  done: Promise<Outcome>;
}

function startWorker(job: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(job)], {
    cwd: PROJECT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Map<number, () => void>();
  const reached = new Set<number>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const match of stdout.matchAll(/^ready (\d+)$/gm)) {
      const step = Number(match[1]);
      reached.add(step);
      waiters.get(step)?.();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<Outcome>((resolve) => {
    child.on('close', (code, signal) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      let result: unknown = last;
      try {
        result = JSON.parse(last);
      } catch {
        // not JSON: keep the raw line
      }
      resolve({ result, code, signal, stderr });
    });
  });
  const ready = (step: number): Promise<void> =>
    reached.has(step) ? Promise.resolve() : new Promise((resolve) => waiters.set(step, resolve));
  return { ready, done };
}

/** Runs the workers in lockstep: before each of `steps`, all reach the barrier, then all go at once. */
async function race(jobs: Record<string, unknown>[], steps: number): Promise<Outcome[]> {
  const go = join(root, 'go');
  const workers = jobs.map((job) => startWorker({ ...job, go }));
  for (let step = 0; step < steps; step++) {
    await Promise.race([Promise.all(workers.map((w) => w.ready(step))), ...workers.map((w) => w.done)]);
    writeFileSync(`${go}.${step}`, '');
  }
  return Promise.all(workers.map((w) => w.done));
}

describe('two processes on one board', () => {
  it('gives each claimed task to exactly one of two racing processes', async () => {
    const store = JsonTaskStore.open({ dir });
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push((await store.create({ subject: `task ${i}` })).task.id);

    const [a, b] = await race(
      [
        { job: 'claim-all', dir, owner: 'alpha', ids },
        { job: 'claim-all', dir, owner: 'beta', ids },
      ],
      ids.length,
    );
    expect(a?.stderr).toBe('');
    expect(b?.stderr).toBe('');
    const wonA = (a?.result as { won: string[] }).won;
    const wonB = (b?.result as { won: string[] }).won;
    expect([...wonA, ...wonB].sort()).toEqual([...ids].sort());
    expect(wonA.filter((id) => wonB.includes(id))).toEqual([]);
    const owners = (await store.list()).tasks.map((t) => [t.id, t.owner]);
    expect(owners).toEqual(ids.map((id) => [id, wonA.includes(id) ? 'alpha' : 'beta']));
  });

  it('allocates unique ids to concurrent creators', async () => {
    const [a, b] = await race(
      [
        { job: 'create-many', dir, count: 20 },
        { job: 'create-many', dir, count: 20 },
      ],
      1,
    );
    const all = [...(a?.result as { ids: string[] }).ids, ...(b?.result as { ids: string[] }).ids];
    expect(new Set(all).size).toBe(40);
    expect(all.map((id) => Number(id.slice(1))).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    const snapshot = await JsonTaskStore.open({ dir }).list();
    expect(snapshot.tasks).toHaveLength(40);
    expect(snapshot.corrupt).toEqual([]);
  });

  it('keeps the previous version when a process dies between the write and the rename', async () => {
    const store = JsonTaskStore.open({ dir });
    await store.create({ subject: 'Survivor' });
    const before = readFileSync(join(dir, 't1.json'), 'utf8');

    const crashed = await startWorker({ job: 'crash-claim', dir, owner: 'doomed', id: 't1' }).done;
    expect(crashed.signal).toBe('SIGKILL');

    // The new version was fully written to a temporary file that never took the task's name.
    const leftovers = readdirSync(dir).filter((f) => f.endsWith('.tmp'));
    expect(leftovers).toHaveLength(1);
    const tmp = JSON.parse(readFileSync(join(dir, leftovers[0] ?? ''), 'utf8')) as unknown;
    expect(TaskSchema.parse(tmp)).toMatchObject({ status: 'in_progress', owner: 'doomed' });
    expect(readFileSync(join(dir, 't1.json'), 'utf8')).toBe(before);
    expect(existsSync(join(dir, '.board', 'lock'))).toBe(true);

    // The board is intact, and the dead process's lock does not stop the next change.
    const fresh = JsonTaskStore.open({ dir, lockTimeoutMs: 1_000 });
    const snapshot = await fresh.list();
    expect(snapshot.corrupt).toEqual([]);
    expect(snapshot.tasks).toMatchObject([{ id: 't1', status: 'pending', owner: null }]);
    expect((await fresh.claim('t1', 'survivor')).task.owner).toBe('survivor');
  });
});
