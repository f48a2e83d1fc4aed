import { noJobs, type JobsPort } from '../background/jobs-port.js';
import {
  addUsage,
  emptyUsage,
  ModelError,
  type Message,
  type ModelClient,
  type ModelResponse,
  type ToolResultBlock,
  type ToolSpec,
  type ToolUseBlock,
  type Usage,
} from '../model/model-client.js';
import type { AnyTool } from '../tools/tool.js';
import { limitReached, workSignal, type Budget, type WindDownReason } from './budget.js';
import {
  appendUser,
  assistantText,
  compactToolResults,
  CONTINUE_AFTER_MAX_TOKENS,
  keepCutOffResponse,
  windDownText,
} from './conversation.js';
import { preview, type EventSink, type RunEndReason, type RunOutcome } from './events.js';
import { prepareToolCall, skippedResult } from './tool-dispatch.js';

/** Continuations after stop_reason max_tokens before the response is taken as it is. */
export const MAX_CONTINUATIONS = 3;

export interface RunAgentOptions {
  /** The first user message: the request and its context. */
  prompt: string;
  system: string;
  model: ModelClient;
  tools: readonly AnyTool[];
  jobs?: JobsPort | undefined;
  emit: EventSink;
  /** Cancels the run: the current model call and tools stop, jobs are killed. */
  signal?: AbortSignal | undefined;
  budget: Budget;
  /** USD cost of one turn's usage on `model`; `priced` false when the model's price is unknown. */
  costOf: (model: string, usage: Usage) => { usd: number; priced: boolean };
  /** Receives exceptions that are bugs (not ToolErrors, not ModelErrors), for logging with a stack. */
  onBug?: ((error: unknown) => void) | undefined;
  now?: (() => number) | undefined;
  /** Longest the wind-down summary turn may take. Default 120 s. */
  windDownTimeoutMs?: number | undefined;
}

export interface RunResult extends RunOutcome {
  messages: Message[];
}

/**
 * The agent loop: model turn → every tool_use run → exactly one tool_result per tool_use id →
 * repeat until the model ends its turn with no background job left.
 *
 * Never throws for runtime failures: tool failures become is_error results, model failures end
 * the run with reason 'error', cancellation with 'aborted'. When a turn, time or cost limit is
 * reached the model gets one last turn without tools to summarize, and the run ends with that
 * limit as its reason. Jobs still running at the end are shut down before `run_end` is emitted.
 */
export async function runAgent(opts: RunAgentOptions): Promise<RunResult> {
  const now = opts.now ?? Date.now;
  const jobs = opts.jobs ?? noJobs;
  const runSignal = opts.signal ?? new AbortController().signal;
  const tools = new Map(opts.tools.map((t) => [t.name, t] as const));
  const specs = opts.tools.map((t) => t.spec);
  const onBug = opts.onBug ?? (() => undefined);
  const started = now();
  const work = workSignal(runSignal, opts.budget.deadlineAt, started);

  const messages: Message[] = [{ role: 'user', content: [{ type: 'text', text: opts.prompt }] }];
  let turns = 0;
  let usage = emptyUsage();
  let costUsd = 0;

  const turn = async (allowTools: boolean, signal: AbortSignal): Promise<ModelResponse> => {
    turns++;
    const at = now();
    opts.emit({ type: 'turn_start', turn: turns, at });
    const response = await callWithCompaction(
      opts.model,
      opts.system,
      specs,
      messages,
      allowTools,
      signal,
      (m) => opts.emit({ type: 'notice', level: 'warning', message: m }),
    );
    const cost = opts.costOf(response.model, response.usage);
    usage = addUsage(usage, response.usage);
    costUsd += cost.usd;
    const text = assistantText(response.content);
    if (text) opts.emit({ type: 'assistant_text', turn: turns, text });
    opts.emit({
      type: 'turn_end',
      turn: turns,
      usage: response.usage,
      costUsd: cost.usd,
      priced: cost.priced,
      stopReason: response.stopReason,
      toolCalls: response.content.flatMap((b) => (b.type === 'tool_use' ? [b.name] : [])),
      durationMs: now() - at,
      model: response.model,
    });
    return response;
  };

  const finish = async (reason: RunEndReason, summary: string, error?: string): Promise<RunResult> => {
    work.dispose();
    await jobs.shutdown().catch(onBug);
    opts.emit({
      type: 'run_end',
      reason,
      summary,
      error,
      turns,
      usage,
      costUsd,
      durationMs: now() - started,
    });
    return { reason, summary, error, turns, usage, costUsd, messages };
  };

  /** The last, tool-free turn: ask for a summary. A failure here still ends the run with `reason`. */
  const windDown = async (reason: WindDownReason): Promise<RunResult> => {
    opts.emit({
      type: 'notice',
      level: 'warning',
      message: `Winding down: ${reason.replace('_', ' ')} reached.`,
    });
    appendUser(messages, [...notificationBlocks(jobs), { type: 'text', text: windDownText(reason) }]);
    try {
      const limit = AbortSignal.timeout(opts.windDownTimeoutMs ?? 120_000);
      const response = await turn(false, AbortSignal.any([runSignal, limit]));
      messages.push({ role: 'assistant', content: response.content });
      return await finish(reason, assistantText(response.content));
    } catch (e) {
      if (runSignal.aborted) return finish('aborted', '');
      return finish(reason, '', describe(e));
    }
  };

  opts.emit({ type: 'run_start', model: opts.model.model, prompt: opts.prompt, at: started });
  try {
    let continuations = 0;
    for (;;) {
      if (runSignal.aborted) return await finish('aborted', '');
      const limit = limitReached(opts.budget, { turns, costUsd, now: now() });
      if (limit) return await windDown(limit);
      appendUser(messages, notificationBlocks(jobs));

      let response: ModelResponse;
      try {
        response = await turn(true, work.signal);
      } catch (e) {
        if (runSignal.aborted) return await finish('aborted', '');
        if (work.signal.aborted) return await windDown('deadline');
        return await finish('error', '', describe(e));
      }

      if (response.stopReason === 'max_tokens' && continuations < MAX_CONTINUATIONS) {
        continuations++;
        const kept = keepCutOffResponse(response.content);
        if (kept) messages.push({ role: 'assistant', content: kept });
        appendUser(messages, [{ type: 'text', text: CONTINUE_AFTER_MAX_TOKENS }]);
        continue;
      }
      continuations = 0;
      messages.push({ role: 'assistant', content: response.content });

      const calls = uniqueCalls(response.content);
      if (calls.length > 0 && response.stopReason !== 'max_tokens') {
        const results: ToolResultBlock[] = [];
        for (const call of calls) {
          if (work.signal.aborted) {
            results.push(skippedResult(call));
            continue;
          }
          const at = now();
          const prepared = prepareToolCall(tools, call, onBug);
          opts.emit({
            type: 'tool_start',
            turn: turns,
            id: call.id,
            name: call.name,
            preview: prepared.preview,
            at,
          });
          const result = await prepared.run(work.signal);
          results.push(result);
          opts.emit({
            type: 'tool_end',
            turn: turns,
            id: call.id,
            name: call.name,
            isError: result.is_error === true,
            preview: preview(result.content),
            durationMs: now() - at,
          });
        }
        appendUser(messages, [...results, ...notificationBlocks(jobs)]);
        continue;
      }

      if (calls.length > 0) {
        // A max_tokens response cut inside its tool calls, with no continuations left.
        messages.pop();
        const kept = keepCutOffResponse(response.content);
        if (kept) messages.push({ role: 'assistant', content: kept });
      }
      // The model ended its turn. Results of running jobs must reach it before the run can end.
      if (jobs.hasActive()) {
        opts.emit({ type: 'notice', level: 'info', message: 'Waiting for background jobs to finish.' });
        await jobs.waitForNext(work.signal);
        if (runSignal.aborted) return await finish('aborted', '');
        if (work.signal.aborted) return await windDown('deadline');
        continue;
      }
      return await finish('done', assistantText(response.content));
    }
  } catch (e) {
    onBug(e);
    return finish(runSignal.aborted ? 'aborted' : 'error', '', describe(e));
  }
}

async function callWithCompaction(
  model: ModelClient,
  system: string,
  tools: ToolSpec[],
  messages: Message[],
  allowTools: boolean,
  signal: AbortSignal,
  warn: (message: string) => void,
): Promise<ModelResponse> {
  const request = () => model.complete({ system, tools, messages, allowTools, signal });
  try {
    return await request();
  } catch (e) {
    if (!(e instanceof ModelError) || e.kind !== 'prompt_too_long') throw e;
    const replaced = compactToolResults(messages);
    if (replaced === 0) throw e;
    warn(`The prompt was too long: replaced ${replaced} old tool results with a placeholder and retried.`);
    return await request();
  }
}

function notificationBlocks(jobs: JobsPort): { type: 'text'; text: string }[] {
  return jobs.takeNotifications().map((text) => ({ type: 'text' as const, text }));
}

function uniqueCalls(blocks: ModelResponse['content']): ToolUseBlock[] {
  const seen = new Set<string>();
  return blocks.filter((b): b is ToolUseBlock => {
    if (b.type !== 'tool_use' || seen.has(b.id)) return false;
    seen.add(b.id);
    return true;
  });
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
