import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { runAction, newRunId, type ActionRun, type ActionRunOptions } from '../test/support/action-runner.js';
import {
  EMULATOR_API_KEY,
  startAnthropicEmulator,
  type AnthropicEmulator,
} from '../test/support/anthropic-emulator.js';
import { DIST_ENTRY } from '../test/support/dist.js';
import { createGitFixture, type GitFixture } from '../test/support/git-fixture.js';
import { GitHubEmulator } from '../test/support/github-emulator.js';
import { commentPayload } from '../test/github/fixtures.js';

/**
 * One run of the built action (dist/index.js) as the runner starts it, against fresh loopback
 * emulators and a fresh git checkout (a clone of a local bare origin): the same setup for every
 * sample, so that runs do not see each other's branches, comments or resume state.
 *
 * Seed: `Codertocat/Hello-World` (the webhook examples' repository) with issue #1, and the
 * examples' sender `Codertocat` with write access. The trigger is an issue_comment on #1.
 */

export const REPO = 'Codertocat/Hello-World';
export const ISSUE = 1;
export const GITHUB_TOKEN = 'ghs_benchTokenValue1234567890abcdef';

export interface ActionEnv {
  gh: GitHubEmulator;
  api: AnthropicEmulator;
  git: GitFixture;
  /** Runs dist/index.js once for a comment `/agent <request>` on issue #1. */
  run(options?: {
    request?: string;
    inputs?: Record<string, string>;
    env?: Record<string, string>;
    onSpawn?: ActionRunOptions['onSpawn'];
  }): Promise<ActionRun>;
  close(): Promise<void>;
}

export function requireDist(): void {
  if (!existsSync(DIST_ENTRY)) throw new Error(`${DIST_ENTRY} is missing: run "npm run build" first.`);
}

/** `seed` seeds the GitHub emulator's fault injection (default 1). */
export async function startActionEnv(
  options: { minCacheTokens?: number; seed?: number } = {},
): Promise<ActionEnv> {
  requireDist();
  const git = await createGitFixture();
  const gh = await GitHubEmulator.start({ token: GITHUB_TOKEN, seed: options.seed ?? 1 });
  gh.addRepo(REPO);
  gh.addIssue(REPO, {
    title: 'Spelling error in the README file',
    body: 'It looks like you accidently spelled.',
  });
  gh.setPermission(REPO, 'Codertocat', 'write');
  const api = await startAnthropicEmulator(
    options.minCacheTokens === undefined ? {} : { minCacheTokens: options.minCacheTokens },
  );
  const temps: string[] = [];
  return {
    gh,
    api,
    git,
    async run(o = {}) {
      const result = await runAction({
        eventName: 'issue_comment',
        payload: commentPayload(`/agent ${o.request ?? 'fix the spelling in README.md'}`),
        inputs: o.inputs ?? {},
        workspace: git.workspace,
        githubUrl: gh.url,
        anthropicUrl: api.url,
        githubToken: GITHUB_TOKEN,
        anthropicKey: EMULATOR_API_KEY,
        runId: newRunId(),
        env: {
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: git.env['GIT_CONFIG_GLOBAL'] ?? '',
          ...o.env,
        },
        ...(o.onSpawn ? { onSpawn: o.onSpawn } : {}),
      });
      if (result.env['RUNNER_TEMP']) temps.push(result.env['RUNNER_TEMP']);
      return result;
    },
    async close() {
      await Promise.all([gh.close(), api.close()]);
      await Promise.all([git.cleanup(), ...temps.map((d) => rm(d, { recursive: true, force: true }))]);
    },
  };
}

/** A short reason when the action did not succeed, for error messages. */
export function describeRun(run: ActionRun): string {
  const tail = (s: string) => s.trim().split('\n').slice(-8).join('\n');
  return `exit ${String(run.code)}, conclusion ${run.outputs['conclusion'] ?? '?'}\n${tail(run.stdout)}\n${tail(run.stderr)}`;
}
