import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonTaskStore } from '../../src/tasks/json-task-store.js';
import { TaskRuleError } from '../../src/tasks/task-board.js';
import { TaskSchema } from '../../src/tasks/task.js';
import { task, tempWorkspace } from './helpers.js';

let root: string;
let dir: string;
let cleanup: () => void;
let clock: number;

beforeEach(() => {
  ({ root, cleanup } = tempWorkspace());
  dir = join(root, '.tasks');
  clock = Date.parse('2026-11-24T10:00:00.000Z');
});
afterEach(() => cleanup());

const open = (): JsonTaskStore =>
  JsonTaskStore.open({ dir, workspaceRoot: root, now: () => new Date((clock += 1000)) });
const onDisk = (id: string): unknown => JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8'));

async function refusal(promise: Promise<unknown>): Promise<TaskRuleError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof TaskRuleError) return error;
  throw new Error(`expected a TaskRuleError, got ${String(error)}`);
}

describe('JsonTaskStore files', () => {
  it('keeps one schema-valid JSON file per task, with readable ids', async () => {
    const store = open();
    await store.create({ subject: 'Plan', description: 'First' });
    const change = await store.create({ subject: 'Build', blockedBy: ['t1'] });
    expect(change.task.id).toBe('t2');
    expect(change.tasks.map((t) => t.id)).toEqual(['t1', 't2']);
    expect(readdirSync(dir).sort()).toEqual(['.board', 't1.json', 't2.json']);
    expect(TaskSchema.parse(onDisk('t2'))).toEqual({
      id: 't2',
      subject: 'Build',
      description: '',
      status: 'pending',
      owner: null,
      blockedBy: ['t1'],
      createdAt: '2026-11-24T10:00:02.000Z',
      updatedAt: '2026-11-24T10:00:02.000Z',
    });
  });

  it('runs the whole lifecycle on disk and reports what completion unblocked', async () => {
    const store = open();
    await store.create({ subject: 'A' });
    await store.create({ subject: 'B', blockedBy: ['t1'] });
    await store.claim('t1', 'taskpilot');
    expect(onDisk('t1')).toMatchObject({ status: 'in_progress', owner: 'taskpilot' });
    const done = await store.complete('t1', 'taskpilot', 'done it');
    expect(done.unblocked.map((t) => t.id)).toEqual(['t2']);
    expect(onDisk('t1')).toMatchObject({ status: 'completed', result: 'done it' });
    await store.claim('t2', 'taskpilot');
    await store.release('t2');
    expect(onDisk('t2')).toMatchObject({ status: 'pending', owner: null });
    await store.update('t2', { subject: 'B, renamed' });
    const failed = await store.fail('t2', 'taskpilot', 'not possible');
    expect(failed.action).toBe('failed');
    expect(onDisk('t2')).toMatchObject({ status: 'failed', result: 'not possible', subject: 'B, renamed' });
  });

  it('keeps ids stable across runs and continues the sequence', async () => {
    await open().create({ subject: 'A' });
    await open().create({ subject: 'B' });
    const third = open();
    expect((await third.create({ subject: 'C' })).task.id).toBe('t3');
    expect((await third.list()).tasks.map((t) => t.subject)).toEqual(['A', 'B', 'C']);
  });

  it('refuses a cycle on update and leaves the file as it was', async () => {
    const store = open();
    await store.create({ subject: 'A' });
    await store.create({ subject: 'B', blockedBy: ['t1'] });
    const before = readFileSync(join(dir, 't1.json'), 'utf8');
    expect((await refusal(store.update('t1', { blockedBy: ['t2'] }))).message).toMatch(/t1 → t2 → t1/);
    expect(readFileSync(join(dir, 't1.json'), 'utf8')).toBe(before);
  });
});

describe('JsonTaskStore and the disk', () => {
  it('reports a corrupt file by name, keeps the rest usable, and never overwrites it', async () => {
    const store = open();
    await store.create({ subject: 'A' });
    await store.create({ subject: 'B' });
    const corrupt = JSON.stringify({ ...task('t2'), status: 'done' });
    writeFileSync(join(dir, 't2.json'), corrupt);
    writeFileSync(join(dir, 'notes.json'), '{ not json');

    const snapshot = await store.list();
    expect(snapshot.tasks.map((t) => t.id)).toEqual(['t1']);
    expect(snapshot.corrupt).toEqual([
      { file: 't2.json', id: 't2', error: expect.stringMatching(/^status: /) as unknown },
      { file: 'notes.json', error: expect.stringMatching(/^not valid JSON/) as unknown },
    ]);
    expect((await refusal(store.claim('t2', 'a'))).code).toBe('corrupt');
    expect((await store.create({ subject: 'C', blockedBy: ['t2'] })).task.id).toBe('t3');
    expect((await refusal(store.claim('t3', 'a'))).message).toMatch(/t2 \(corrupt\)/);
    await store.claim('t1', 'a');
    expect(readFileSync(join(dir, 't2.json'), 'utf8')).toBe(corrupt);

    writeFileSync(join(dir, 't2.json'), JSON.stringify(task('t2', 'completed')));
    expect((await store.list()).corrupt.map((c) => c.file)).toEqual(['notes.json']);
    await store.claim('t3', 'a');
  });

  it('treats a deleted dependency as missing, hence blocked', async () => {
    const store = open();
    await store.create({ subject: 'A' });
    await store.create({ subject: 'B', blockedBy: ['t1'] });
    rmSync(join(dir, 't1.json'));
    const snapshot = await store.list();
    expect(snapshot.blockers.get('t2')).toEqual([{ id: 't1', reason: 'missing' }]);
    expect((await refusal(store.claim('t2', 'a'))).message).toMatch(/t1 \(missing\)/);
  });

  it('sees changes another process made, without a list', async () => {
    const mine = open();
    const theirs = open();
    await mine.create({ subject: 'A' });
    await theirs.claim('t1', 'them');
    expect((await refusal(mine.claim('t1', 'me'))).message).toMatch(/them owns it/);
    expect((await mine.get('t1')).task.owner).toBe('them');
  });

  it('rereads a task edited in place by hand before acting on it', async () => {
    const store = open();
    await store.create({ subject: 'A' });
    writeFileSync(join(dir, 't1.json'), JSON.stringify(task('t1', 'completed')));
    expect((await refusal(store.claim('t1', 'a'))).message).toMatch(/already completed/);
  });

  it('picks up a task file renamed in by hand', async () => {
    const store = open();
    await store.create({ subject: 'A' });
    writeFileSync(join(dir, 'staged'), JSON.stringify({ ...task('t5'), subject: 'By hand' }));
    renameSync(join(dir, 'staged'), join(dir, 't5.json'));
    expect((await store.get('t5')).task.subject).toBe('By hand');
    expect((await store.create({ subject: 'Next' })).task.id).toBe('t6');
  });

  it('does not overwrite a task file it has not seen when allocating an id', async () => {
    const store = open();
    await store.create({ subject: 'A' });
    const sneaky = JSON.stringify({ ...task('t2'), subject: 'Hand-made' });
    writeFileSync(join(dir, 't2.json'), sneaky);
    // Same directory mtime tick and no generation change: the store may not have noticed.
    const created = await store.create({ subject: 'B' });
    expect(created.task.id).not.toBe('t2');
    expect(readFileSync(join(dir, 't2.json'), 'utf8')).toBe(sneaky);
  });

  it('ignores leftover temporary files', async () => {
    const store = open();
    await store.create({ subject: 'A' });
    writeFileSync(join(dir, '.t1.json.999.abcd.tmp'), '{"half": ');
    const snapshot = await store.list();
    expect(snapshot.tasks).toHaveLength(1);
    expect(snapshot.corrupt).toEqual([]);
  });

  it('removes temporary files that crashed writers left, once they are old', () => {
    open();
    writeFileSync(join(dir, '.t1.json.999.old.tmp'), '{');
    writeFileSync(join(dir, '.t1.json.999.new.tmp'), '{');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, '.t1.json.999.old.tmp'), old, old);
    open();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual(['.t1.json.999.new.tmp']);
  });

  it('leaves no temporary file and the old version when a write fails before the rename', async () => {
    const store = JsonTaskStore.open({
      dir,
      beforeRename: () => {
        throw new Error('disk gone');
      },
    });
    writeFileSync(join(dir, 't1.json'), JSON.stringify(task('t1')));
    await expect(store.claim('t1', 'a')).rejects.toThrow('disk gone');
    expect(onDisk('t1')).toMatchObject({ status: 'pending' });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(join(dir, '.board', 'lock'))).toBe(false);
  });
});
