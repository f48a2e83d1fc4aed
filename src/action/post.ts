import * as core from '@actions/core';
import { configRedactor, readConfig } from '../config.js';
import { readRunContext } from '../github/event.js';
import { createOctokit } from '../github/octokit.js';
import { markCancelledIfUnfinished } from '../github/progress-comment.js';
import { tokenLogin } from '../github/comment-lookup.js';
import { evaluateTrigger } from '../github/trigger.js';
import { deliver, type DeliveryPlan } from './delivery.js';

/**
 * The post step (always runs). When the main step was killed before it finished, it marks the
 * progress comment ⏹ cancelled and commits and pushes the work the run left in the workspace,
 * so that no work is lost. Does nothing after a main step that finished. Never fails the job.
 */
export async function runPost(): Promise<void> {
  if (core.getState('finished') === 'true') return;
  try {
    const config = readConfig();
    const redact = configRedactor(config);
    const ctx = readRunContext();
    const octokit = createOctokit(config.githubToken, { baseUrl: ctx.apiUrl });
    const saved = core.getState('deliveryPlan');
    const trigger = evaluateTrigger(ctx, config);
    if (saved && trigger.type === 'trigger') {
      const plan = {
        ...(JSON.parse(saved) as DeliveryPlan),
        auth: { token: config.githubToken, serverUrl: ctx.serverUrl },
      };
      const delivery = await deliver(plan, ctx, trigger, config, octokit, redact, {
        done: false,
        summary: null,
        tasks: [],
        signal: AbortSignal.timeout(30_000),
      });
      core.info(
        `taskpilot post step: ${delivery.pushed ? `pushed ${delivery.commits} commits to ${delivery.branch}` : delivery.note}`,
      );
    }
    const issue = Number(core.getState('progressIssue'));
    const runId = Number(core.getState('runId'));
    if (!Number.isInteger(issue) || issue <= 0 || !Number.isInteger(runId) || runId <= 0) return;
    const result = await markCancelledIfUnfinished(octokit, ctx.repo, issue, runId, {
      redact,
      selfLogin: await tokenLogin(octokit, config.githubToken, AbortSignal.timeout(10_000)),
      signal: AbortSignal.timeout(20_000),
    });
    if (result === 'marked')
      core.info('taskpilot: the run did not finish; its progress comment is marked cancelled.');
  } catch (e) {
    core.warning(`taskpilot post step: ${e instanceof Error ? e.message : String(e)}`);
  }
}
