import { setTimeout as delay } from 'node:timers/promises';
import * as core from '@actions/core';
import type { AgentEvent, EventSink } from './agent/events.js';
import { runPost } from './action/post.js';
import { ConfigError, configRedactor, maskSecrets, readConfig, type ActionConfig } from './config.js';
import type { EngineOptions, EngineResult } from './engine.js';
import { readRunContext, type RunContext } from './github/event.js';
import { actionsLogReporter } from './github/log-reporter.js';
import { createOctokit, type GitHubClient } from './github/octokit.js';
import { authorizeTrigger, isBot } from './github/permissions.js';
import { heldUntilOpen, ProgressComment } from './github/progress-comment.js';
import { sharedComments, tokenLogin, type CommentReader } from './github/comment-lookup.js';
import type { Redactor } from './github/redact.js';
import { formatRequest } from './github/request.js';
import { endRun, initialRunState, reduce, type RunState } from './github/run-state.js';
import {
  setOutputs,
  setSkippedOutputs,
  skippedOutputs,
  writeJobSummary,
  writeOutputs,
} from './github/summary.js';
import { encodeResumeState, findResumeState, resumeNote, tasksToRestore } from './github/resume-state.js';
import { controlCommand, runControl } from './action/control.js';
import { deliver, planDelivery, type DeliveryPlan } from './action/delivery.js';
import { emptyThreadContext, fetchThreadContext } from './github/thread-context.js';
import { evaluateTrigger, type Trigger } from './github/trigger.js';

/**
 * How long the step has after a signal, less a second of margin. The runner cancels with
 * SIGINT, then SIGTERM 7.5 s later, then kills the process tree 2.5 s after that; so a second
 * signal leaves about 2.5 s. The cancel path (job shutdown, delivery, the final comment)
 * shares what is left.
 */
const AFTER_FIRST_SIGNAL_MS = 9_000;
const AFTER_SECOND_SIGNAL_MS = 1_500;

/** Saved for the post step, which finalizes the comment if this step is killed. */
export const STATE = {
  isPost: 'isPost',
  issue: 'progressIssue',
  runId: 'runId',
  /** The delivery plan (without credentials), so the post step can push what a killed run left. */
  plan: 'deliveryPlan',
  /** Set once the main step has delivered and finalized: the post step then has nothing to do. */
  finished: 'finished',
} as const;

/**
 * The Action's entry (main and post). The composition root: the only place that knows every
 * concrete adapter. Never rejects: failures set the step's result and outputs.
 */
export async function run(): Promise<void> {
  if (core.getState(STATE.isPost) === 'true') return runPost();
  core.saveState(STATE.isPost, 'true');
  try {
    await runMain();
  } catch (e) {
    core.setFailed(`taskpilot: ${e instanceof Error ? e.message : String(e)}`);
    if (e instanceof Error && !(e instanceof ConfigError) && e.stack) core.debug(e.stack);
  }
}

async function runMain(): Promise<void> {
  const startedAt = Date.now();
  const config = readConfig();
  maskSecrets(config);
  const redact = configRedactor(config);
  const ctx = readRunContext();
  const decision = evaluateTrigger(ctx, config);
  if (decision.type === 'skip') {
    core.notice(`taskpilot skipped: ${decision.reason}`);
    setSkippedOutputs();
    return;
  }
  const octokit = createOctokit(config.githubToken, { baseUrl: ctx.apiUrl });
  // Who the token is, asked alongside the permission check when that check asks GitHub anyway.
  const asksGitHub = decision.sender !== null && !isBot(decision.sender);
  const login = asksGitHub ? tokenLogin(octokit, config.githubToken) : null;
  const permission = await authorizeTrigger(octokit, ctx.repo, decision, config);
  if (!permission.allowed) {
    core.notice(`taskpilot skipped: ${permission.reason}`);
    setSkippedOutputs();
    return;
  }
  const selfLogin = await (login ?? tokenLogin(octokit, config.githubToken));
  const command = controlCommand(decision);
  if (command && decision.thread) {
    core.info(
      `taskpilot: ${await runControl(command, octokit, ctx.repo, decision.thread.number, redact, selfLogin)}`,
    );
    writeOutputs({ ...skippedOutputs(), conclusion: 'success' });
    return;
  }
  core.info(`taskpilot: ${decision.kind} run accepted (${permission.reason}).`);
  const controller = new AbortController();
  // What is left of the step's life once the runner has signalled it.
  let stopBy = Number.POSITIVE_INFINITY;
  const left = (reserveMs = 0): number => Math.max(0, Math.floor(stopBy - Date.now() - reserveMs));
  const onSignal = (signal: NodeJS.Signals) => {
    const budget = controller.signal.aborted ? AFTER_SECOND_SIGNAL_MS : AFTER_FIRST_SIGNAL_MS;
    stopBy = Math.min(stopBy, Date.now() + budget);
    core.warning(`taskpilot: received ${signal}; stopping the run.`);
    controller.abort(new Error(signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  // Independent round trips, at once: they stand between the trigger and the first model call.
  // The thread's comments are listed once for their three readers. The agent does not wait
  // for the progress comment: its first events are held until the comment exists.
  const workspace = ctx.workspace ?? process.cwd();
  const target = decision.progressTarget;
  const comments =
    target === null
      ? undefined
      : sharedComments(octokit, ctx.repo, target, { signal: AbortSignal.timeout(20_000) });
  const opening = openProgressComment(octokit, ctx, decision, config, redact, selfLogin, comments);
  const setup = Promise.all([
    findPrevious(octokit, ctx, decision, selfLogin, comments),
    planDelivery(ctx, decision, config, octokit, redact, workspace).then(
      (plan) => ({ plan, error: undefined }),
      (e: unknown) => ({ plan: undefined, error: redact(e instanceof Error ? e.message : String(e)) }),
    ),
    decision.thread
      ? fetchThreadContext(octokit, ctx, decision, {
          signal: controller.signal,
          ...(decision.thread.number === target && comments ? { comments } : {}),
        }).catch((e: unknown) => {
          core.warning(`taskpilot: could not read the thread's comments: ${String(e)}`);
          return emptyThreadContext;
        })
      : Promise.resolve(emptyThreadContext),
  ]);
  // The agent's code (the SDK, tools, task board) loads now, beside the git commands just
  // started; on a real network also beside the requests (Octokit's throttling sends them on a
  // timer, so here they leave after it). A failure surfaces where it is awaited.
  const engine = import(/* webpackMode: "eager" */ './engine.js');
  engine.catch(() => undefined);
  const [resumed, planned, context] = await setup;
  let state = initialRunState();
  const log = actionsLogReporter(core, redact);
  const toComment = heldUntilOpen(opening);
  const emit: EventSink = (event: AgentEvent) => {
    state = reduce(state, event);
    toComment(event);
    log(event);
  };

  const plan: DeliveryPlan | undefined = planned.plan;
  let result: EngineResult | undefined;
  let setupError: string | undefined = planned.error && `could not prepare the branch: ${planned.error}`;
  if (plan) {
    const { content: _config, ...gitConfig } = plan.gitConfig ?? {};
    core.saveState(
      STATE.plan,
      JSON.stringify({ ...plan, auth: null, gitConfig: plan.gitConfig && gitConfig }),
    );
    if (plan.skip)
      emit({ type: 'notice', level: 'warning', message: `Nothing will be pushed: ${plan.skip}.` });
    let prompt = formatRequest(decision, context);
    if (plan.readOnly) {
      prompt += `\n\nThis run is read-only (${plan.skip}): review and explain; changes will not be pushed.`;
    }
    if (resumed) prompt += `\n\n${resumeNote(resumed)}`;
    try {
      const { runEngine } = await engine;
      result = await runEngine({
        ...engineOptions(config, workspace, prompt, startedAt, emit, controller),
        restoreTasks: resumed ? tasksToRestore(resumed.state) : undefined,
      });
    } catch (e) {
      // Setup failures (workspace, tasks dir): the loop itself never throws.
      setupError = redact(e instanceof Error ? e.message : String(e));
    }
  }
  const status = setupError ? 'failed' : controller.signal.aborted ? 'cancelled' : undefined;
  state = endRun(state, status ?? 'failed', setupError);
  // A cancelled step is about to be killed: keep 3 s of it for the final comment.
  const deliveryCutoff = controller.signal.aborted
    ? AbortSignal.timeout(Math.min(4_000, left(3_000)))
    : undefined;
  let cutShort = false;
  if (plan) {
    const delivery = await deliver(plan, ctx, decision, config, octokit, redact, {
      done: state.status === 'done',
      summary: state.summary,
      tasks: state.tasks,
      signal: deliveryCutoff,
    });
    cutShort = deliveryCutoff?.aborted === true;
    emit({ type: 'delivery', delivery });
  }
  // The comment may still be on its way (the agent did not wait for it). After a signal the
  // runner kills the step within seconds: wait briefly, and leave it to the post step if need be.
  const opened = controller.signal.aborted
    ? await Promise.race([opening, delay(Math.min(2_000, left(2_000)), 'late' as const, { ref: false })])
    : await opening;
  const comment = opened === 'late' ? undefined : opened;
  comment?.setHidden(
    encodeResumeState(
      {
        runId: ctx.runId,
        status: state.status,
        summary: state.summary,
        finishedAt: new Date().toISOString(),
        tasks: result?.tasks ?? [],
      },
      redact,
    ),
  );
  // After a signal the runner kills the step within seconds; otherwise let retries finish.
  const written = await comment?.finalize(
    status,
    setupError,
    controller.signal.aborted ? Math.min(5_000, left()) : 60_000,
  );
  // Whatever the cancel path could not finish in time (the push, the comment) is left to the
  // post step, which does nothing once `finished` is saved.
  const unfinished = opened === 'late' || written === false || cutShort;
  if (!(controller.signal.aborted && unfinished)) core.saveState(STATE.finished, 'true');
  await finish(state, comment, ctx, redact);
}

/** The state a previous run left on this thread (or on progress-issue), if any. Never throws. */
async function findPrevious(
  octokit: GitHubClient,
  ctx: RunContext,
  trigger: Trigger,
  selfLogin: string | null,
  comments: CommentReader | undefined,
) {
  if (trigger.progressTarget === null) return null;
  try {
    return await findResumeState(octokit, ctx.repo, trigger.progressTarget, {
      exceptRunId: ctx.runId,
      selfLogin,
      ...(comments ? { comments } : {}),
    });
  } catch (e) {
    core.warning(`taskpilot: could not look for an earlier run's state: ${String(e)}`);
    return null;
  }
}

function engineOptions(
  config: ActionConfig,
  workspace: string,
  prompt: string,
  startedAt: number,
  emit: EventSink,
  controller: AbortController,
): EngineOptions {
  return {
    cwd: workspace,
    prompt,
    apiKey: config.anthropicApiKey,
    baseURL: config.anthropicBaseUrl,
    model: config.model,
    fallbackModel: config.fallbackModel,
    maxTokens: config.maxTokens,
    budget: {
      maxTurns: config.maxTurns,
      limitMinutes: config.timeLimitMinutes,
      maxCostUsd: config.maxCostUsd,
      startedAt,
    },
    commandTimeoutSeconds: config.commandTimeoutSeconds,
    backgroundTimeoutMinutes: config.backgroundTimeoutMinutes,
    maxBackgroundJobs: config.maxBackgroundJobs,
    tasksDir: config.tasksDir,
    memoryFile: config.memoryFile,
    env: process.env,
    logDir: process.env['RUNNER_TEMP'] || undefined,
    emit,
    signal: controller.signal,
    onBug: (e) =>
      core.error(`taskpilot internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
  };
}

/** Creates the progress comment. A failure is logged and the run goes on without one. */
async function openProgressComment(
  octokit: GitHubClient,
  ctx: RunContext,
  trigger: Trigger,
  config: ActionConfig,
  redact: Redactor,
  selfLogin: string | null,
  comments: CommentReader | undefined,
): Promise<ProgressComment | undefined> {
  if (trigger.progressTarget === null) return undefined;
  core.saveState(STATE.issue, String(trigger.progressTarget));
  core.saveState(STATE.runId, String(ctx.runId));
  try {
    return await ProgressComment.create({
      octokit,
      repo: ctx.repo,
      issueNumber: trigger.progressTarget,
      runId: ctx.runId,
      runUrl: ctx.runUrl,
      intervalMs: config.progressIntervalSeconds * 1000,
      redact,
      selfLogin,
      ...(comments ? { comments } : {}),
      log: { warning: (m) => core.warning(m) },
    });
  } catch (e) {
    core.warning(`taskpilot: could not create the progress comment: ${String(e)}`);
    return undefined;
  }
}

async function finish(
  state: RunState,
  comment: ProgressComment | undefined,
  ctx: RunContext,
  redact: Redactor,
): Promise<void> {
  setOutputs(state, { commentId: comment?.id ?? null, commentUrl: comment?.url ?? null });
  await writeJobSummary(
    state,
    { runUrl: ctx.runUrl, now: Date.now(), commentUrl: comment?.url ?? null },
    redact,
  ).catch((e: unknown) => core.warning(`taskpilot: could not write the job summary: ${String(e)}`));
  if (state.status === 'failed')
    core.setFailed(`taskpilot: the run failed: ${state.error ?? 'unknown error'}`);
  else if (state.status === 'cancelled') core.setFailed('taskpilot: the run was cancelled.');
  else if (state.status !== 'done') core.warning(`taskpilot: the run stopped early (${state.status}).`);
}
