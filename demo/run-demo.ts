import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { example } from '../test/github/fixtures.js';
import { runAction, type ActionRun } from '../test/support/action-runner.js';
import { EMULATOR_API_KEY, startAnthropicEmulator } from '../test/support/anthropic-emulator.js';
import { DIST_ENTRY, REPO_ROOT } from '../test/support/dist.js';
import type { GitFixture } from '../test/support/git-fixture.js';
import { GitHubEmulator } from '../test/support/github-emulator.js';
import { progressPage } from './render-html.js';
import { createSampleRepo } from './sample-repo.js';
import { scriptedSession } from './session.js';
import { compactComment, elapsed, indent, keyValues, print, rule } from './terminal.js';

/**
 * `npm run demo`: the built action (dist/index.js), run as the Actions runner runs it, on a sample
 * repository, with no API key and no network. The test suite's emulators stand in for GitHub
 * and the Messages API (a scripted model), and a local bare repository is `origin`. Prints the
 * progress comment as it evolves, then the pull request, the commits and the outputs, and
 * writes the comment (Markdown and HTML) and the job summary to demo-output/.
 * Exits 0 when the run did everything a real one should, 1 (saying what went wrong) otherwise.
 */

const OUT_DIR = path.join(REPO_ROOT, 'demo-output');
/** What the demo writes to demo-output/ (replaced on every run). */
const FILES = {
  comment: 'progress-comment.md',
  page: 'progress-comment.html',
  summary: 'job-summary.md',
  log: 'action-log.txt',
} as const;
const REPO = 'octo-org/release-notes';
const SENDER = 'Codertocat';
const LABEL = 'agent';
const GITHUB_TOKEN = 'ghs_demoTokenNotARealOne0123456789abc';
const RUN_ID = 7001;
const ISSUE = {
  title: 'Dates in the changelog are wrong',
  body:
    'Release 1.4.0 went out on March 5, but CHANGELOG.md says it shipped on `2026-30-50`, and 1.3.0 ' +
    'on `2026-10-90`. There is no month 30! Looks like the month is padded on the wrong side.',
};

async function main(): Promise<number> {
  if (!existsSync(DIST_ENTRY)) {
    print(`taskpilot demo: ${path.relative(REPO_ROOT, DIST_ENTRY)} is missing.`);
    print('Run `npm run build` first, then `npm run demo` again.');
    return 1;
  }
  const start = Date.now();
  const cleanups: Array<() => Promise<unknown>> = [];
  let watcher: CommentWatcher | undefined;
  try {
    const git = await createSampleRepo();
    cleanups.push(() => git.cleanup());
    const gh = await GitHubEmulator.start({ token: GITHUB_TOKEN });
    cleanups.push(() => gh.close());
    const api = await startAnthropicEmulator();
    cleanups.push(() => api.close());
    const session = scriptedSession();
    api.respond(session.respond);
    gh.addRepo(REPO);
    const issue = gh.addIssue(REPO, { ...ISSUE, user: SENDER, labels: [LABEL] });
    gh.setPermission(REPO, SENDER, 'write');

    print(rule('taskpilot demo · key-free, local emulators only'));
    print(
      indent(
        keyValues({
          action: `${path.relative(REPO_ROOT, DIST_ENTRY)} (node ${process.version}), as the Actions runner runs it`,
          origin: `${git.origin} (bare), cloned to the workspace on main`,
          GitHub: `emulator at ${gh.url}: ${REPO}, issue #${issue.number} "${issue.title}"`,
          model: `Messages API emulator at ${api.url}, playing a scripted session`,
          event: `issues.labeled (label "${LABEL}") by ${SENDER}, who has write access`,
        }),
      ),
    );
    print();

    watcher = watchComment(gh, issue.number, start);
    const run = await runAction({
      eventName: 'issues',
      payload: labeledPayload(issue.number),
      inputs: { 'progress-interval-seconds': '1' },
      workspace: git.workspace,
      githubUrl: gh.url,
      anthropicUrl: api.url,
      githubToken: GITHUB_TOKEN,
      anthropicKey: EMULATOR_API_KEY,
      repository: REPO,
      runId: RUN_ID,
      env: {
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: git.env['GIT_CONFIG_GLOBAL'] ?? '',
      },
    });
    const runnerTemp = run.env['RUNNER_TEMP'];
    if (runnerTemp) cleanups.push(() => rm(runnerTemp, { recursive: true, force: true }));
    const comment = watcher.stop();
    print(rule(`the action exited with code ${run.code ?? run.signal} after ${elapsed(start)}`));
    print();

    const pull = [...gh.store.requireRepo(REPO).issues.values()].find((i) => i.pull !== null);
    const branch = run.outputs['branch'] ?? '';
    const commits = branch ? await branchLog(git, branch) : '';
    await writeOutputs(run, comment, issue.number);

    if (pull?.pull) {
      print(rule(`pull request #${pull.number}${pull.pull.draft ? ' (draft)' : ''}`));
      print(indent(`${pull.title}\n${pull.pull.head.ref} → ${pull.pull.base.ref}\n\n${pull.body ?? ''}`));
      print();
    }
    if (commits) {
      print(rule(`pushed to origin: ${branch}`));
      print(indent(commits));
      print();
    }
    print(rule('outputs'));
    print(indent(keyValues(run.outputs)));
    print();
    print(rule('demo-output/'));
    for (const file of Object.values(FILES)) print(`  ${path.join('demo-output', file)}`);
    print();

    // The model emulator's refusals come first: they name the cause of what follows.
    const problems = [
      ...api.requests.flatMap((r) => (r.error ? [`model emulator: ${withoutStack(r.error)}`] : [])),
      ...check(run, comment, pull !== undefined, commits, session.finished()),
    ];
    if (problems.length > 0) {
      print(rule('the demo FAILED'));
      for (const problem of problems) print(indent(`- ${problem}`));
      print(indent(`The action's log: demo-output/${FILES.log}. Its last lines:`));
      print(indent(lastLines(`${run.stdout}\n${run.stderr}`, 25), '    '));
      return 1;
    }
    print(`Demo finished in ${elapsed(start)}. Open demo-output/${FILES.page} in a browser.`);
    return 0;
  } finally {
    watcher?.stop();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** The issues.labeled example payload, edited to this repository, issue and label. */
function labeledPayload(issueNumber: number) {
  const payload = example('issues', 'labeled');
  const [owner = '', name = ''] = REPO.split('/');
  payload['repository'] = {
    ...(payload['repository'] as object),
    name,
    full_name: REPO,
    owner: { login: owner, type: 'Organization' },
    html_url: `https://github.com/${REPO}`,
  };
  payload.issue = {
    ...payload.issue,
    number: issueNumber,
    title: ISSUE.title,
    body: ISSUE.body,
    labels: [{ name: LABEL }],
    html_url: `https://github.com/${REPO}/issues/${issueNumber}`,
  };
  payload.label = { ...payload.label, name: LABEL };
  payload.sender = { ...payload.sender, login: SENDER };
  return payload;
}

/**
 * Polls the emulator for the progress comment and prints each version that reads differently.
 * `stop()` takes a last look and returns the final body ('' when no comment was posted).
 */
interface CommentWatcher {
  stop(): string;
}

function watchComment(gh: GitHubEmulator, issueNumber: number, start: number): CommentWatcher {
  let last = '';
  let version = 0;
  let shown = '';
  const look = () => {
    last = gh.comments(REPO, issueNumber).at(-1)?.body ?? '';
    // Edits that change only the hidden markers look the same: print what a reader would see.
    const visible = compactComment(last);
    if (visible === '' || visible === shown) return;
    shown = visible;
    print(rule(`progress comment · version ${++version} · +${elapsed(start)}`));
    print(indent(visible));
    print();
  };
  const timer = setInterval(look, 100);
  return {
    stop(): string {
      clearInterval(timer);
      look();
      return last;
    },
  };
}

/** `git log --oneline` of the commits `branch` adds to main on origin, and their diffstat. */
async function branchLog(git: GitFixture, branch: string): Promise<string> {
  const range = `main..refs/heads/${branch}`;
  try {
    const log = await git.git(git.origin, 'log', '--oneline', range);
    const stat = await git.git(git.origin, 'diff', '--stat', range);
    return `${log}\n\n${stat
      .split('\n')
      .map((line) => line.trim())
      .join('\n')}`;
  } catch {
    return '';
  }
}

async function writeOutputs(run: ActionRun, comment: string, issueNumber: number): Promise<void> {
  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });
  const page = progressPage({
    repo: REPO,
    issue: { number: issueNumber, ...ISSUE, author: SENDER, labels: [LABEL] },
    comment: { author: 'github-actions[bot]', markdown: comment },
  });
  const contents: Record<keyof typeof FILES, string> = {
    comment,
    page,
    summary: run.summary,
    log: `${run.stdout}\n--- stderr ---\n${run.stderr}`,
  };
  for (const [key, file] of Object.entries(FILES)) {
    await writeFile(path.join(OUT_DIR, file), contents[key as keyof typeof FILES]);
  }
}

/** What a successful run must have left behind; empty when all is well. */
function check(run: ActionRun, comment: string, pr: boolean, commits: string, finished: boolean): string[] {
  const problems: string[] = [];
  if (run.code !== 0) problems.push(`dist/index.js exited with ${run.code ?? run.signal}, not 0`);
  if (run.outputs['conclusion'] !== 'success')
    problems.push(`conclusion is "${run.outputs['conclusion'] ?? ''}", not "success"`);
  if (!finished) problems.push('the scripted session did not reach its end');
  if (!comment.includes('✅ Done')) problems.push('the progress comment does not end as ✅ Done');
  if (run.outputs['tasks-completed'] !== '3') problems.push('the task board does not show 3/3 completed');
  if (!commits) problems.push('no commits were pushed to a branch on origin');
  if (!pr) problems.push('no pull request was opened');
  return problems;
}

/** An error text without its stack frames after the first. */
const withoutStack = (text: string): string => text.replace(/(\n\s+at .*)(\n\s+at .*)+/, '$1');

const lastLines = (text: string, n: number): string => text.trimEnd().split('\n').slice(-n).join('\n');

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    print(
      `taskpilot demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  },
);
