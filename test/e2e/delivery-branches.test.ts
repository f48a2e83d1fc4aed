import { execFile } from 'node:child_process';
import { access, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { lastUserText, text, toolUse } from '../support/anthropic-emulator.js';
import { requireDist } from '../support/dist.js';
import {
  useDeliveryScenario,
  BOT,
  FORK_PR,
  ISSUE,
  ISSUE_BRANCH,
  PR,
  PR_HEAD,
  REPO,
  SENDER,
  commitOn,
  commentPayload,
  forkPrLabeledPayload,
  issueLabeledPayload,
  sameRepoPrLabeledPayload,
  schedulePayload,
  workLine,
} from '../support/delivery-scenario.js';
import { readStatusMarker } from '../../src/github/markers.js';

/**
 * Where a run's work goes, checked on a real bare `origin`: the PR's head branch, a new
 * `taskpilot/…` branch with a draft pull request, nowhere (no changes, a fork), or nowhere
 * because origin moved first.
 */

beforeAll(() => requireDist());

const CO_AUTHOR = `Co-authored-by: ${SENDER.login} <${SENDER.id}+${SENDER.login}@users.noreply.github.com>`;
const pullsPath = `/repos/${REPO}/pulls`;
const prUrl = (n: number) => `https://github.com/${REPO}/pull/${n}`;
/** Issues #1–#3 are seeded, so the first pull request a run opens is #4. */
const NEW_PR = 4;
const execFileAsync = promisify(execFile);

describe.concurrent('work is pushed to the right branch', { timeout: 60_000 }, () => {
  it('a PR comment: commits go to the PR head branch; no pull request is opened', async ({
    onTestFinished,
  }) => {
    const s = await useDeliveryScenario(onTestFinished);
    s.api.script(
      [
        toolUse('write_file', { path: 'notes.md', content: 'notes\n' }),
        toolUse('bash', {
          command:
            'git add notes.md && git -c user.name=Agent -c user.email=agent@example.com commit -qm "Add notes"',
        }),
      ],
      [toolUse('write_file', { path: 'CHANGES.md', content: 'new information\nand more\n' })],
      text('Added notes and extended CHANGES.md.'),
    );
    const run = await s.run({
      eventName: 'issue_comment',
      payload: commentPayload('/agent extend it', { pr: PR }),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs['conclusion']).toBe('success');

    // The head branch comes from the API (an issue_comment payload has no refs).
    expect(run.github.some((r) => r.method === 'GET' && r.path === `${pullsPath}/${PR}`)).toBe(true);
    // Two commits on top of the PR's head, the agent's own and taskpilot's, fast-forward.
    expect(await s.origin('rev-list', '--count', `${s.changesSha}..${PR_HEAD}`)).toBe('2');
    expect(await s.origin('rev-parse', `${PR_HEAD}~2`)).toBe(s.changesSha);
    const agents = await commitOn(s, `${PR_HEAD}~1`);
    expect(agents).toMatchObject({ author: 'Agent <agent@example.com>', subject: 'Add notes' });
    const last = await commitOn(s, PR_HEAD);
    expect(last.author).toBe(`${BOT.name} <${BOT.email}>`);
    expect(last.committer).toBe(`${BOT.name} <${BOT.email}>`);
    expect(last.subject).toBe('taskpilot: Update the README with new information. (#2)');
    expect(last.body).toBe(CO_AUTHOR);
    expect(last.files).toEqual(['CHANGES.md']);
    expect(await s.originBranches()).toEqual(['changes', 'main']);

    expect(run.github.filter((r) => r.method === 'POST' && r.path.startsWith(pullsPath))).toEqual([]);
    const [comment, ...others] = s.comments(PR);
    expect(others).toEqual([]);
    expect(readStatusMarker(comment!.body)).toBe('done');
    expect(workLine(comment!.body)).toBe('**Work:** 🌿 2 commits on `changes`');
    expect(run.outputs).toMatchObject({ branch: PR_HEAD, commits: '2', 'pr-number': '', 'pr-url': '' });
  });

  it('a PR label (same repository): the head from the payload, from a detached checkout', async ({
    onTestFinished,
  }) => {
    const s = await useDeliveryScenario(onTestFinished);
    // actions/checkout leaves pull_request runs on a detached merge commit.
    await s.git.git(s.workspace, 'checkout', '--quiet', '--detach');
    s.api.script(
      [toolUse('write_file', { path: 'CHANGES.md', content: 'new information\nreviewed\n' })],
      text('Reviewed.'),
    );
    const run = await s.run({ eventName: 'pull_request', payload: sameRepoPrLabeledPayload() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.github.some((r) => r.path === `${pullsPath}/${PR}`)).toBe(false);
    expect(await s.origin('rev-parse', `${PR_HEAD}~1`)).toBe(s.changesSha);
    expect(await commitOn(s, PR_HEAD)).toMatchObject({
      subject: 'taskpilot: Update the README with new information. (#2)',
      files: ['CHANGES.md'],
    });
    expect(run.github.filter((r) => r.method === 'POST' && r.path.startsWith(pullsPath))).toEqual([]);
    expect(workLine(s.comments(PR)[0]!.body)).toBe('**Work:** 🌿 1 commit on `changes`');
  });

  it('an issue label: a taskpilot/issue-… branch and a draft PR that closes the issue', async ({
    onTestFinished,
  }) => {
    const s = await useDeliveryScenario(onTestFinished);
    // The base comes from the payload (main), which the API would contradict.
    s.gh.store.requireRepo(REPO).defaultBranch = 'trunk';
    s.api.script(
      [toolUse('write_file', { path: 'README.md', content: '# fixture\n\nSpelled commit.\n' })],
      text('Fixed the spelling of "commit".'),
    );
    const run = await s.run({ eventName: 'issues', payload: issueLabeledPayload() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs['conclusion']).toBe('success');

    expect(await s.originBranches()).toEqual(['changes', 'main', ISSUE_BRANCH]);
    expect(await s.origin('rev-parse', `${ISSUE_BRANCH}~1`)).toBe(s.mainSha);
    const commit = await commitOn(s, ISSUE_BRANCH);
    expect(commit).toEqual({
      author: `${BOT.name} <${BOT.email}>`,
      committer: `${BOT.name} <${BOT.email}>`,
      subject: 'taskpilot: Spelling error in the README file (#1)',
      body: CO_AUTHOR,
      files: ['README.md'],
    });

    const created = run.github.filter((r) => r.method === 'POST' && r.path === pullsPath);
    expect(created).toHaveLength(1);
    const request = created[0]!.json as Record<string, unknown>;
    expect(request).toMatchObject({
      head: ISSUE_BRANCH,
      base: 'main',
      draft: true,
      title: 'taskpilot: Spelling error in the README file',
    });
    expect(request['body']).toMatch(/^Closes #1\.\n/);
    expect(request['body']).toContain('Fixed the spelling of "commit".');
    const pr = s.gh.store.requireRepo(REPO).issues.get(NEW_PR);
    expect(pr?.pull).toMatchObject({ draft: true, head: { ref: ISSUE_BRANCH }, base: { ref: 'main' } });
    expect(pr?.pull?.requestedReviewers).toEqual([SENDER.login]);

    expect(run.outputs).toMatchObject({
      branch: ISSUE_BRANCH,
      'pr-number': String(NEW_PR),
      'pr-url': prUrl(NEW_PR),
      commits: '1',
    });
    const [comment] = s.comments(ISSUE);
    expect(workLine(comment!.body)).toBe(
      `**Work:** 🌿 1 commit on \`${ISSUE_BRANCH}\` · opened [#${NEW_PR}](${prUrl(NEW_PR)})`,
    );
  });

  it('a schedule: a taskpilot/<workflow>-<yyyymmdd-hhmm> branch, a PR, progress on progress-issue', async ({
    onTestFinished,
  }) => {
    const s = await useDeliveryScenario(onTestFinished);
    s.api.script(
      [toolUse('write_file', { path: 'README.md', content: '# fixture\n\nTidy.\n' })],
      text('Tidied the README.'),
    );
    const stamp = (d: Date) => d.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
    const before = new Date();
    const run = await s.run({
      eventName: 'schedule',
      payload: schedulePayload(),
      inputs: { prompt: 'Tidy the README\n\nKeep it short.', 'progress-issue': String(ISSUE) },
      env: { GITHUB_WORKFLOW: 'Nightly Cleanup' },
    });
    const after = new Date();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const branch = (await s.originBranches()).find((b) => b.startsWith('taskpilot/'));
    expect(branch).toMatch(/^taskpilot\/nightly-cleanup-\d{8}-\d{4}$/);
    expect([stamp(before), stamp(after)]).toContain(branch!.slice('taskpilot/nightly-cleanup-'.length));
    const commit = await commitOn(s, branch!);
    expect(commit).toMatchObject({
      author: `${BOT.name} <${BOT.email}>`,
      subject: 'taskpilot: Tidy the README',
    });
    expect(commit.body).toBe(''); // a schedule has no sender: no co-author

    const created = run.github.filter((r) => r.method === 'POST' && r.path === pullsPath);
    expect(created.map((r) => r.json)).toMatchObject([
      { head: branch, base: 'main', draft: true, title: 'taskpilot: Tidy the README' },
    ]);
    expect(JSON.stringify(created[0]!.json)).not.toContain('Closes');
    expect(run.github.filter((r) => r.path.endsWith('/requested_reviewers'))).toEqual([]);
    // A schedule payload has no repository, so the base is the API's default branch.
    expect(run.github.filter((r) => r.method === 'GET' && r.path === `/repos/${REPO}`)).toHaveLength(1);

    const [comment, ...others] = s.comments(ISSUE);
    expect(others).toEqual([]);
    expect(readStatusMarker(comment!.body)).toBe('done');
    expect(workLine(comment!.body)).toBe(
      `**Work:** 🌿 1 commit on \`${branch}\` · opened [#${NEW_PR}](${prUrl(NEW_PR)})`,
    );
    expect(run.outputs).toMatchObject({ branch, 'pr-number': String(NEW_PR), commits: '1' });
  });

  it('a renamed issue: the next run keeps the branch and the pull request of the first', async ({
    onTestFinished,
  }) => {
    const s = await useDeliveryScenario(onTestFinished);
    s.api.script([toolUse('write_file', { path: 'a.txt', content: 'a\n' })], text('Part one.'));
    const first = await s.run({
      eventName: 'issue_comment',
      payload: commentPayload('/agent part one'),
      runId: 1,
    });
    expect(first.outputs).toMatchObject({ branch: ISSUE_BRANCH, 'pr-number': String(NEW_PR) });

    const renamed = commentPayload('/agent part two');
    renamed.issue = { ...renamed.issue, title: 'Spelling errors in the README and the docs' };
    s.api.script([toolUse('write_file', { path: 'b.txt', content: 'b\n' })], text('Part two.'));
    const second = await s.run({
      eventName: 'issue_comment',
      payload: renamed,
      runId: 2,
      workspace: await s.checkout('workspace-2'),
    });
    expect(second.stderr).toBe('');
    expect(second.outputs).toMatchObject({ branch: ISSUE_BRANCH, 'pr-number': String(NEW_PR), commits: '1' });
    expect(await s.originBranches()).toEqual(['changes', 'main', ISSUE_BRANCH]);
    const tree = await s.origin('ls-tree', '-r', '--name-only', ISSUE_BRANCH);
    expect(tree.split('\n').sort()).toEqual(['README.md', 'a.txt', 'b.txt']);
    expect(second.github.filter((r) => r.method === 'POST' && r.path === pullsPath)).toEqual([]);
  });
});

describe.concurrent('nothing is pushed', { timeout: 60_000 }, () => {
  it('a run that changes nothing: no branch, no PR, "no changes", commits=0', async ({ onTestFinished }) => {
    const s = await useDeliveryScenario(onTestFinished);
    s.api.script([toolUse('bash', { command: 'cat README.md' })], text('README.md holds a title only.'));
    const run = await s.run({
      eventName: 'issue_comment',
      payload: commentPayload('/agent what is in README.md?'),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs['conclusion']).toBe('success');
    expect(await s.originBranches()).toEqual(['changes', 'main']);
    expect(run.github.filter((r) => r.path.startsWith(pullsPath))).toEqual([]);
    const [comment] = s.comments(ISSUE);
    expect(workLine(comment!.body)).toBe('**Work:** no changes');
    expect(run.outputs).toMatchObject({ commits: '0', branch: '', 'pr-number': '', 'pr-url': '' });
  });

  it.for([
    {
      name: 'a workspace that is not a git checkout',
      note: 'the workspace is not a git checkout, so nothing is committed',
      prepare: (workspace: string) => rm(path.join(workspace, '.git'), { recursive: true, force: true }),
    },
    {
      name: 'a checkout without an origin remote',
      note: 'the checkout has no origin remote, so changes stay in the workspace',
      prepare: (workspace: string) =>
        execFileAsync('git', ['remote', 'remove', 'origin'], { cwd: workspace }).then(() => undefined),
    },
  ])('$name: the edits stay in the workspace, the run succeeds', async (c, { onTestFinished }) => {
    const s = await useDeliveryScenario(onTestFinished);
    await c.prepare(s.workspace);
    s.api.script([toolUse('write_file', { path: 'fix.txt', content: 'fixed\n' })], text('Wrote fix.txt.'));
    const run = await s.run({ eventName: 'issue_comment', payload: commentPayload('/agent write fix.txt') });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs['conclusion']).toBe('success');
    expect(await readFile(path.join(s.workspace, 'fix.txt'), 'utf8')).toBe('fixed\n');
    expect(await s.originBranches()).toEqual(['changes', 'main']);
    const [comment] = s.comments(ISSUE);
    expect(comment!.body).toContain(`> ⚠️ Nothing will be pushed: ${c.note}.`);
    expect(workLine(comment!.body)).toBe(`**Work:** ${c.note}`);
    expect(run.outputs).toMatchObject({ commits: '0', branch: '', 'pr-number': '' });
  });

  const forkNote = 'this pull request comes from a fork, which taskpilot cannot push to';
  const forkCases = [
    {
      name: 'pull_request labeled, head in a fork (refs from the payload)',
      eventName: 'pull_request',
      payload: forkPrLabeledPayload,
      readsPull: false,
    },
    {
      name: 'issue_comment on a PR whose head is in a fork (refs from the API)',
      eventName: 'issue_comment',
      payload: () => commentPayload('/agent fix the typo', { pr: FORK_PR }),
      readsPull: true,
    },
  ];
  for (const c of forkCases) {
    it(`a fork PR, ${c.name}: read-only, nothing pushed, the run succeeds`, async ({ onTestFinished }) => {
      const s = await useDeliveryScenario(onTestFinished);
      s.api.script(
        [toolUse('write_file', { path: 'fix.txt', content: 'would fix\n' })],
        text('The typo is on line 3; suggested the fix here.'),
      );
      const run = await s.run({ eventName: c.eventName, payload: c.payload() });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.outputs['conclusion']).toBe('success');
      expect(lastUserText(run.model[0]!)).toContain(`This run is read-only (${forkNote})`);
      expect(run.github.some((r) => r.method === 'GET' && r.path === `${pullsPath}/${FORK_PR}`)).toBe(
        c.readsPull,
      );
      expect(await s.originBranches()).toEqual(['changes', 'main']);
      expect(await s.originSha('changes')).toBe(s.changesSha);
      expect(run.github.filter((r) => r.method === 'POST' && r.path.startsWith(pullsPath))).toEqual([]);
      const [comment, ...others] = s.comments(FORK_PR);
      expect(others).toEqual([]);
      expect(readStatusMarker(comment!.body)).toBe('done');
      expect(comment!.body).toContain(`> ⚠️ Nothing will be pushed: ${forkNote}.`);
      expect(workLine(comment!.body)).toBe(`**Work:** ${forkNote}`);
      expect(run.outputs).toMatchObject({ commits: '0', branch: '', 'pr-number': '' });
    });
  }

  it('delivery ignores git config the agent planted, and the PR carries no secret', async ({
    onTestFinished,
  }) => {
    const s = await useDeliveryScenario(onTestFinished);
    const planted = `${s.git.root}/filter-ran`;
    s.api.script(
      [toolUse('write_file', { path: 'README.md', content: '# fixture\n\nfixed\n' })],
      [toolUse('write_file', { path: '.gitattributes', content: '* filter=evil\n' })],
      [
        toolUse('bash', {
          command: `git config filter.evil.clean 'touch ${planted}; cat'`,
          run_in_background: false,
        }),
      ],
      text('Done. The key I found was sk-ant-api03-leakedKeyValue0123456789abcdef.'),
    );
    const run = await s.run({ eventName: 'issues', payload: issueLabeledPayload() });
    expect(run.code).toBe(0);
    // The filter was removed with the rest of the agent's config before git add ran.
    await expect(access(planted)).rejects.toThrow();
    expect(await s.origin('show', `${ISSUE_BRANCH}:README.md`)).toContain('fixed');
    const created = run.github.filter((r) => r.method === 'POST' && r.path === pullsPath);
    expect(JSON.stringify(created[0]?.json)).not.toContain('leakedKeyValue');
    expect(JSON.stringify(created[0]?.json)).toContain('***');
  });

  it('origin moved first: the push is rejected, nothing is forced, and the work goes to a branch aside', async ({
    onTestFinished,
  }) => {
    const s = await useDeliveryScenario(onTestFinished);
    let theirs = '';
    s.api.script([toolUse('write_file', { path: 'README.md', content: '# fixture\n\nours\n' })]);
    // While the agent works, someone else pushes the same branch from another clone.
    s.api.respond(async () => {
      const other = await s.git.clone('other');
      await s.git.git(other, 'checkout', '--quiet', '-b', ISSUE_BRANCH);
      theirs = await s.git.commitFile(other, 'THEIRS.md', 'theirs\n', 'Their work');
      await s.git.git(other, 'push', '--quiet', 'origin', `HEAD:refs/heads/${ISSUE_BRANCH}`);
      return text('Fixed the spelling.');
    });
    const run = await s.run({
      eventName: 'issue_comment',
      payload: commentPayload('/agent fix the spelling'),
      runId: 5151,
    });
    expect(run.stderr).toBe('');
    expect(theirs).not.toBe('');
    expect(await s.originSha(ISSUE_BRANCH)).toBe(theirs);
    expect(await s.origin('rev-list', '--count', `${s.mainSha}..${ISSUE_BRANCH}`)).toBe('1');
    expect(run.github.filter((r) => r.method === 'POST' && r.path.startsWith(pullsPath))).toEqual([]);
    const [comment] = s.comments(ISSUE);
    const work = workLine(comment!.body);
    const aside = `${ISSUE_BRANCH}-run-5151`;
    expect(work).toContain(`push to ${ISSUE_BRANCH} was rejected`);
    expect(work).toContain(`the work is on ${aside} instead`);
    expect(await s.origin('show', `${aside}:README.md`)).toContain('ours');
    expect(run.outputs).toMatchObject({ branch: aside, 'pr-number': '' });
  });
});
