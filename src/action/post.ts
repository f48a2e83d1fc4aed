import * as core from '@actions/core';
import { configRedactor, readConfig } from '../config.js';
import { readRunContext } from '../github/event.js';
import { createOctokit } from '../github/octokit.js';
import { markCancelledIfUnfinished } from '../github/progress-comment.js';

/**
 * The post step (always runs): if the main step was killed before it finalized its progress
 * comment, marks the comment ⏹ cancelled. Never fails the job.
 */
export async function runPost(): Promise<void> {
  const issue = Number(core.getState('progressIssue'));
  const runId = Number(core.getState('runId'));
  if (!Number.isInteger(issue) || issue <= 0 || !Number.isInteger(runId) || runId <= 0) return;
  try {
    const config = readConfig();
    const ctx = readRunContext();
    const octokit = createOctokit(config.githubToken, { baseUrl: ctx.apiUrl });
    const result = await markCancelledIfUnfinished(octokit, ctx.repo, issue, runId, {
      redact: configRedactor(config),
      signal: AbortSignal.timeout(20_000),
    });
    if (result === 'marked')
      core.info('taskpilot: the run did not finish; its progress comment is marked cancelled.');
  } catch (e) {
    core.warning(`taskpilot post step: ${e instanceof Error ? e.message : String(e)}`);
  }
}
