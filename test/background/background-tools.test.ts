import { afterEach, describe, expect, it } from 'vitest';
import type { JobManager } from '../../src/background/job-manager.js';
import { createBackgroundTools, DEFAULT_OUTPUT_BYTES } from '../../src/tools/background.js';
import { ToolError, type Tool, type ToolResult } from '../../src/tools/tool.js';
import { cleanupJobs, drain, makeJobs, must } from './job-fixtures.js';

afterEach(cleanupJobs);

/** Calls a background tool as the loop does: input parsed by the tool's schema. */
function toolCaller(jobs: JobManager) {
  const tools = createBackgroundTools({ jobs });
  return async (name: string, input: unknown, signal = new AbortController().signal): Promise<string> => {
    const tool = tools.find((t) => t.name === name) as Tool<unknown> | undefined;
    if (!tool) throw new Error(`no tool ${name}`);
    const result: string | ToolResult = await tool.execute(tool.schema.parse(input), {
      signal,
      toolUseId: 'tu_1',
    });
    return typeof result === 'string' ? result : result.content;
  };
}

describe('background tools', () => {
  it('offers job_status, job_output, job_wait and job_kill with JSON schemas', () => {
    const { jobs } = makeJobs();
    const tools = createBackgroundTools({ jobs });
    expect(tools.map((t) => t.name)).toEqual(['job_status', 'job_output', 'job_wait', 'job_kill']);
    const wait = tools.find((t) => t.name === 'job_wait');
    expect(wait?.spec.input_schema).toMatchObject({ required: ['timeout_seconds'] });
  });

  it('job_status lists every job, or one job with the last 20 lines of its log', async () => {
    const { jobs } = makeJobs();
    const call = toolCaller(jobs);
    expect(await call('job_status', {})).toBe('No background jobs have been started.');
    jobs.start('seq 1 100');
    jobs.start('exit 2');
    await drain(jobs);

    const all = await call('job_status', {});
    expect(all.split('\n')).toEqual([
      expect.stringMatching(
        /^bg_1 {2}completed {2}started \d\d:\d\d:\d\dZ, ran \d+ms {2}log 292 B {2}seq 1 100$/,
      ),
      expect.stringMatching(/^bg_2 {2}failed \(exit 2\) {2}started [\d:]+Z, ran \d+ms {2}log 0 B {2}exit 2$/),
    ]);
    const one = await call('job_status', { id: 'bg_1' });
    expect(one).toMatch(
      /^bg_1 {2}completed[^\n]*\nbg_1 ended completed after \d+ms; log: \/.*bg_1\.log\nLast lines:\n81\n/,
    );
    expect(one.endsWith('\n99\n100')).toBe(true);
    expect(one).not.toContain('\n80\n');
    await expect(call('job_status', { id: 'bg_7' })).rejects.toThrow(
      new ToolError('No background job "bg_7". Jobs: bg_1, bg_2.'),
    );
  });

  it('job_output returns a small log whole, and cuts a large one with a note on how to read on', async () => {
    const { jobs } = makeJobs();
    const call = toolCaller(jobs);
    jobs.start('echo small');
    jobs.start('seq 1 200000'); // 1,288,895 bytes
    await drain(jobs);
    const size = must(jobs.get('bg_2')).logBytes;
    expect(size).toBe(1_288_895);

    expect(await call('job_output', { id: 'bg_1' })).toMatch(/\nWhole log, 6 B:\nsmall$/);

    const tail = await call('job_output', { id: 'bg_2' });
    expect(tail.length).toBeLessThan(DEFAULT_OUTPUT_BYTES + 500);
    expect(tail).toMatch(new RegExp(`\\nBytes \\d+–${size} of ${size} \\(1\\.2 MB\\):\\n`));
    expect(tail).toMatch(
      /\n199999\n200000\n\[cut: \d+ earlier bytes not shown \(read them with offset=0\)\]$/,
    );

    const head = await call('job_output', { id: 'bg_2', offset: 0, limit: 10 });
    expect(head).toMatch(
      /\nBytes 0–10 of 1288895 \(1\.2 MB\):\n1\n2\n3\n4\n5\n\n\[cut: 1288885 more bytes \(next: offset=10\)\]$/,
    );

    const middle = await call('job_output', { id: 'bg_2', offset: 10, limit: 1_000_000 });
    expect(middle).toContain('Bytes 10–65546 of 1288895');
    expect(middle).toContain('(next: offset=65546)');

    const last = await call('job_output', { id: 'bg_2', tail: 3 });
    expect(last).toMatch(
      /\nLast 3 lines, bytes 1288874–1288895 of 1288895 \(1\.2 MB\):\n199998\n199999\n200000\n\[cut: 1288874 earlier/,
    );
  });

  it('job_output reads the log of a running job', async () => {
    const { jobs } = makeJobs();
    const call = toolCaller(jobs);
    jobs.start('echo first; sleep 30');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await call('job_output', { id: 'bg_1' })).toMatch(/\nWhole log, 6 B \(still growing\):\nfirst$/);
  });

  it('job_wait waits for one job, reports it, and acknowledges its notification', async () => {
    const { jobs } = makeJobs();
    const call = toolCaller(jobs);
    jobs.start('sleep 0.2; echo ready');
    const text = await call('job_wait', { id: 'bg_1', timeout_seconds: 10 });
    expect(text).toMatch(/bg_1 ended completed after \d+ms; log: .*\nLast lines:\nready$/);
    expect(jobs.takeNotifications()).toEqual([]);
  });

  it('job_wait returns at its timeout while the job keeps running', async () => {
    const { jobs } = makeJobs();
    const call = toolCaller(jobs);
    jobs.start('sleep 30');
    const t0 = Date.now();
    const text = await call('job_wait', { id: 'bg_1', timeout_seconds: 0.2 });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(text).toMatch(
      /^Nothing ended within 200ms of waiting; running jobs keep running\.\nbg_1 {2}running/,
    );
    expect(must(jobs.get('bg_1')).status).toBe('running');
  });

  it('job_wait without id returns the next job to end, or unreported ended jobs at once', async () => {
    const { jobs } = makeJobs();
    const call = toolCaller(jobs);
    expect(await call('job_wait', { timeout_seconds: 5 })).toBe('No background job is queued or running.');
    jobs.start('sleep 30');
    jobs.start('sleep 0.2; echo second');
    const next = await call('job_wait', { timeout_seconds: 10 });
    expect(next).toMatch(/^bg_2 {2}completed/);
    expect(jobs.takeNotifications()).toEqual([]);

    jobs.start('echo third');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await call('job_wait', { timeout_seconds: 10 })).toMatch(/^bg_3 {2}completed[^]*\nthird$/);
    expect(await call('job_wait', { timeout_seconds: 0.1 })).toMatch(
      /^Nothing ended within 100ms of waiting; running jobs keep running\. Still active:\nbg_1 {2}running/,
    );
  });

  it('job_wait stops waiting when the run is cancelled', async () => {
    const { jobs } = makeJobs();
    const call = toolCaller(jobs);
    jobs.start('sleep 30');
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const t0 = Date.now();
    expect(await call('job_wait', { id: 'bg_1', timeout_seconds: 60 }, abort.signal)).toMatch(
      /^Stopped waiting: the run is ending\.\nbg_1 {2}running/,
    );
    expect(await call('job_wait', { timeout_seconds: 60 }, abort.signal)).toMatch(
      /^Stopped waiting: the run is ending\. Still active:\nbg_1 {2}running/,
    );
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('job_kill kills the job and reports it; killing an ended job says so', async () => {
    const { jobs } = makeJobs();
    const call = toolCaller(jobs);
    jobs.start('echo started; sleep 30');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const text = await call('job_kill', { id: 'bg_1' });
    expect(text).toMatch(/^bg_1 {2}killed \(exit 143\)[^]*bg_1 ended killed after [^]*\nstarted$/);
    expect(jobs.takeNotifications()).toEqual([]);
    expect(await call('job_kill', { id: 'bg_1' })).toMatch(/^bg_1 had already ended\.\nbg_1 {2}killed/);
    await expect(call('job_kill', { id: 'nope' })).rejects.toThrow(ToolError);
  });
});
