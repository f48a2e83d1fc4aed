import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SUMMARY_MAX_CHARS } from '../../src/background/job-format.js';
import { groupHasLiveProcess } from '../../src/process/process-group.js';
import { ToolError } from '../../src/tools/tool.js';
import { cleanupJobs, drain, expectAllDead, makeJobs, must, readPids, waitForFile } from './job-fixtures.js';

afterEach(cleanupJobs);

describe('JobManager.shouldBackground', () => {
  it('lets an explicit choice win, and the slow-command heuristic decide otherwise', () => {
    const { jobs } = makeJobs();
    expect(jobs.shouldBackground('ls', true)).toBe(true);
    expect(jobs.shouldBackground('npm test', false)).toBe(false);
    expect(jobs.shouldBackground('npm test', undefined)).toBe(true);
    expect(jobs.shouldBackground('cd app && npm ci', undefined)).toBe(true);
    expect(jobs.shouldBackground('cat test.txt', undefined)).toBe(false);
  });
});

describe('JobManager', () => {
  it('runs a job to completion, logs stdout and stderr to a file, and queues one notification', async () => {
    const { jobs, jobEvents, cwd } = makeJobs({ env: { PATH: process.env['PATH'] ?? '', GREETING: 'hi' } });
    // Jobs get exactly the env they are given, nothing of this process's.
    process.env['GITHUB_TOKEN'] = 'ghs_must_not_leak';
    const answer = jobs.start('pwd; echo "$GREETING"; echo "token=${GITHUB_TOKEN:-unset}" >&2');
    delete process.env['GITHUB_TOKEN'];
    expect(answer).toMatch(
      /^Started background job bg_1: pwd; .* \(log: \/.*\/bg_1\.log\)\. A <task_notification>/,
    );
    expect(jobs.hasActive()).toBe(true);

    await drain(jobs);
    const job = must(jobs.get('bg_1'));
    expect(job).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(job.endedAt).toBeGreaterThanOrEqual(job.startedAt ?? Infinity);
    expect(readFileSync(job.logPath, 'utf8')).toBe(`${cwd}\nhi\ntoken=unset\n`);
    expect(job.logBytes).toBe(Buffer.byteLength(`${cwd}\nhi\ntoken=unset\n`));
    expect(jobEvents()).toEqual(['started:bg_1:running', 'ended:bg_1:completed']);

    const [note, ...more] = jobs.takeNotifications();
    expect(more).toEqual([]);
    expect(note).toMatch(
      new RegExp(
        '^<task_notification>\n' +
          '  <task_id>bg_1</task_id>\n' +
          '  <status>completed</status>\n' +
          '  <exit_code>0</exit_code>\n' +
          '  <command>pwd; echo "\\$GREETING"; echo "token=\\$\\{GITHUB_TOKEN:-unset\\}" &gt;&amp;2</command>\n' +
          '  <duration>\\d+ms</duration>\n' +
          `  <summary>${cwd}\nhi\ntoken=unset</summary>\n` +
          '</task_notification>$',
      ),
    );
    expect(jobs.takeNotifications()).toEqual([]);
  });

  it('reports a non-zero exit as failed, with escaped values', async () => {
    const { jobs } = makeJobs();
    jobs.start(`echo '<error> a & b'; exit 3`);
    await drain(jobs);
    expect(must(jobs.get('bg_1'))).toMatchObject({ status: 'failed', exitCode: 3 });
    const [note] = jobs.takeNotifications();
    expect(note).toContain('<status>failed</status>\n  <exit_code>3</exit_code>');
    expect(note).toContain("<command>echo '&lt;error&gt; a &amp; b'; exit 3</command>");
    expect(note).toContain('<summary>&lt;error&gt; a &amp; b</summary>');
  });

  it('numbers jobs bg_1, bg_2, … and notifies in the order they end', async () => {
    const { jobs } = makeJobs();
    jobs.start('sleep 0.4');
    jobs.start('true');
    await drain(jobs);
    const ids = jobs.takeNotifications().map((n) => /<task_id>(\w+)</.exec(n)?.[1]);
    expect(ids).toEqual(['bg_2', 'bg_1']);
  });

  it('kills the whole group on timeout, grandchildren included, escalating to SIGKILL', async () => {
    const { jobs, cwd } = makeJobs({ timeoutMs: 400, killGraceMs: 300 });
    // The shell and every descendant ignore SIGTERM, so only the SIGKILL after the grace stops them.
    jobs.start(
      "trap '' TERM; sleep 30 & echo $! >> pids; (sleep 30 & echo $! >> pids; wait) & echo $! >> pids; wait",
    );
    const pids = await readPids(join(cwd, 'pids'), 3);
    const pgid = jobs.processGroupOf('bg_1') as number;
    expect(groupHasLiveProcess(pgid)).toBe(true);

    await drain(jobs);
    const job = must(jobs.get('bg_1'));
    expect(job.status).toBe('timed_out');
    expect(job.exitCode).toBe(137);
    const ranMs = (job.endedAt ?? 0) - (job.startedAt ?? 0);
    expect(ranMs).toBeGreaterThanOrEqual(650);
    expect(ranMs).toBeLessThan(3000);
    expect(groupHasLiveProcess(pgid)).toBe(false);
    expectAllDead(pids);
    expect(jobs.takeNotifications()[0]).toContain('<status>timed_out</status>\n  <exit_code>137</exit_code>');
  });

  it('runs at most maxConcurrent jobs at once and queues the rest in order', async () => {
    const { jobs, events, jobEvents } = makeJobs({ maxConcurrent: 2 });
    const answers = [1, 2, 3, 4].map(() => jobs.start('sleep 0.3'));
    expect(answers[0]).toMatch(/^Started background job bg_1/);
    expect(answers[1]).toMatch(/^Started background job bg_2/);
    expect(answers[2]).toMatch(
      /^Queued background job bg_3: sleep 0\.3 \(log: .*\). All 2 job slots are busy; it starts when a running job ends/,
    );
    expect(answers[3]).toMatch(/^Queued background job bg_4/);
    expect(jobs.list().map((j) => j.status)).toEqual(['running', 'running', 'queued', 'queued']);

    await drain(jobs);
    let running = 0;
    let peak = 0;
    for (const e of events) {
      if (e.type !== 'job') continue;
      if (e.action === 'started') peak = Math.max(peak, ++running);
      if (e.action === 'ended') running--;
    }
    expect(peak).toBe(2);
    expect(jobEvents().filter((e) => e.startsWith('queued'))).toEqual([
      'queued:bg_3:queued',
      'queued:bg_4:queued',
    ]);
    expect(jobEvents().filter((e) => e.startsWith('started'))).toEqual([
      'started:bg_1:running',
      'started:bg_2:running',
      'started:bg_3:running',
      'started:bg_4:running',
    ]);
    const [j1, j2, j3, j4] = jobs.list();
    expect(j3?.startedAt).toBeGreaterThanOrEqual(Math.min(j1?.endedAt ?? 0, j2?.endedAt ?? 0));
    expect(j4?.startedAt).toBeGreaterThanOrEqual(Math.max(j1?.endedAt ?? 0, j2?.endedAt ?? 0));
    expect(jobs.list().every((j) => j.status === 'completed')).toBe(true);
  });

  it('kills a running job by process group, once, even when asked several times at once', async () => {
    const { jobs, cwd, jobEvents } = makeJobs();
    jobs.start('sleep 30 & echo $! >> pids; sleep 30 & echo $! >> pids; wait');
    const pids = await readPids(join(cwd, 'pids'), 2);
    const pgid = jobs.processGroupOf('bg_1') as number;

    const [a, b] = await Promise.all([jobs.kill('bg_1'), jobs.kill('bg_1'), jobs.shutdown()]);
    expect(a).toMatchObject({ status: 'killed', exitCode: 143 });
    expect(b).toEqual(a);
    expect(groupHasLiveProcess(pgid)).toBe(false);
    expectAllDead(pids);
    expect(jobEvents()).toEqual(['started:bg_1:running', 'ended:bg_1:killed']);
    expect(jobs.takeNotifications()).toHaveLength(1);
    expect(await jobs.kill('bg_1')).toEqual(a);
    expect(await jobs.kill('bg_9')).toBeUndefined();
  });

  it('drops a queued job on kill without starting it', async () => {
    const { jobs, jobEvents } = makeJobs({ maxConcurrent: 1 });
    jobs.start('sleep 30');
    jobs.start('echo never');
    const killed = must(await jobs.kill('bg_2'));
    expect(killed).toMatchObject({ status: 'killed', exitCode: null, startedAt: null });
    expect(jobs.takeNotifications()[0]).toMatch(
      /<status>killed<\/status>\n {2}<exit_code>none<\/exit_code>[^]*<duration>0ms<\/duration>\n {2}<summary>\(no output\)<\/summary>/,
    );
    await jobs.kill('bg_1');
    expect(jobEvents()).toEqual([
      'started:bg_1:running',
      'queued:bg_2:queued',
      'ended:bg_2:killed',
      'ended:bg_1:killed',
    ]);
  });

  it('keeps the first reason when a kill races a timeout in progress', async () => {
    const { jobs, cwd, jobEvents } = makeJobs({ timeoutMs: 150, killGraceMs: 400 });
    // Notes the SIGTERM of the timeout and keeps running, so the SIGKILL after the grace is needed.
    jobs.start("trap 'echo term >> got-term' TERM; while :; do sleep 0.05; done");
    await waitForFile(join(cwd, 'got-term'));
    expect(must(jobs.get('bg_1')).status).toBe('running');
    const [view] = await Promise.all([jobs.kill('bg_1'), jobs.shutdown()]);
    expect(view?.status).toBe('timed_out');
    expect(jobEvents()).toEqual(['started:bg_1:running', 'ended:bg_1:timed_out']);
    expect(jobs.takeNotifications()).toHaveLength(1);
  });

  it('stops what a command left running in its group once the command exits', async () => {
    const { jobs, cwd } = makeJobs();
    jobs.start('sleep 30 & echo $! >> pids; echo done');
    const pids = await readPids(join(cwd, 'pids'), 1);
    await drain(jobs);
    expect(must(jobs.get('bg_1'))).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(groupHasLiveProcess(jobs.processGroupOf('bg_1') as number)).toBe(false);
    expectAllDead(pids);
  });

  it('cuts the notification summary of a large output to the last lines', async () => {
    const { jobs } = makeJobs();
    jobs.start('seq 1 300000');
    await drain(jobs);
    expect(must(jobs.get('bg_1')).logBytes).toBeGreaterThan(1_500_000);
    const summary = /<summary>([^]*)<\/summary>/.exec(jobs.takeNotifications()[0] ?? '')?.[1] ?? '';
    expect(summary.length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
    expect(summary.endsWith('299999\n300000')).toBe(true);
    expect(summary.startsWith('2999')).toBe(true);
  });

  it('fails a job that cannot start, and says why in its log', async () => {
    const { jobs } = makeJobs({ cwd: '/nonexistent/taskpilot' });
    jobs.start('echo hi');
    await drain(jobs);
    const job = must(jobs.get('bg_1'));
    expect(job.status).toBe('failed');
    expect(readFileSync(job.logPath, 'utf8')).toMatch(/^taskpilot: could not start the job: /);
  });

  it('waitForNext resolves when a job ends, at once when nothing is active, and on abort', async () => {
    const { jobs } = makeJobs();
    await jobs.waitForNext(new AbortController().signal);
    jobs.start('sleep 0.2');
    const t0 = Date.now();
    await jobs.waitForNext(new AbortController().signal);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    expect(jobs.hasActive()).toBe(false);
    // A notification waiting to be taken makes it return at once, even with jobs active.
    jobs.start('sleep 30');
    await jobs.waitForNext(new AbortController().signal);
    expect(jobs.takeNotifications()).toHaveLength(1);

    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const t1 = Date.now();
    await jobs.waitForNext(abort.signal);
    expect(Date.now() - t1).toBeLessThan(1000);
    expect(jobs.hasActive()).toBe(true);
  });

  it('shutdown kills running and queued jobs, reports them killed, and refuses new jobs', async () => {
    const { jobs, cwd, jobEvents } = makeJobs({ maxConcurrent: 2 });
    for (let i = 0; i < 3; i++) jobs.start('sleep 30 & echo $! >> pids; wait');
    const pids = await readPids(join(cwd, 'pids'), 2);
    const groups = ['bg_1', 'bg_2'].map((id) => jobs.processGroupOf(id) as number);

    await Promise.all([jobs.shutdown(), jobs.shutdown()]);
    expect(jobs.hasActive()).toBe(false);
    expect(jobs.list().map((j) => j.status)).toEqual(['killed', 'killed', 'killed']);
    expect(
      jobEvents()
        .filter((e) => e.startsWith('ended'))
        .sort(),
    ).toEqual(['ended:bg_1:killed', 'ended:bg_2:killed', 'ended:bg_3:killed']);
    expect(jobs.processGroupOf('bg_3')).toBeUndefined();
    for (const pgid of groups) expect(groupHasLiveProcess(pgid)).toBe(false);
    expectAllDead(pids);
    expect(() => jobs.start('echo late')).toThrow(ToolError);
  });
});
