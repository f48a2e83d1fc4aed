import { setTimeout as delay } from 'node:timers/promises';
import type { Middleware } from '@anthropic-ai/sdk';
import { BaseAnthropic } from '@anthropic-ai/sdk/client';
import { Messages } from '@anthropic-ai/sdk/resources/messages/messages';
import type { Message as ApiMessage } from '@anthropic-ai/sdk/resources/messages';
import type { AgentEvent } from '../agent/events.js';
import { fetchFor } from '../net/fetch.js';
import { modelError, toModelError } from './anthropic-errors.js';
import { fromContent, fromStopReason, fromUsage, toCreateParams } from './anthropic-wire.js';
import type { ModelClient, ModelError, ModelRequest, ModelResponse } from './model-client.js';

/** The events this adapter reports: a switch to the fallback model, and retries or oddities worth a line. */
export type AnthropicModelEvent = Extract<AgentEvent, { type: 'model_fallback' } | { type: 'notice' }>;

export interface AnthropicModelOptions {
  /** Required and non-empty: createAnthropicModel throws ModelError('auth') otherwise, before any request. */
  apiKey: string;
  /** Default https://api.anthropic.com. ANTHROPIC_BASE_URL is not read here (config.ts owns the environment). */
  baseURL?: string | undefined;
  model: string;
  /**
   * Used for this and every later request once `model` has answered 529 three times in a row. The streak
   * counts HTTP responses across calls (a 529 inside a 200 stream is retried as a broken stream instead), so
   * with `maxRetries` below 2 it may complete on a later call.
   */
  fallbackModel?: string | undefined;
  maxTokens: number;
  /**
   * Default 4. The SDK's retries per HTTP request (408/409/429/5xx and connection failures, honouring
   * retry-after and retry-after-ms), and separately the number of times a stream that broke after its
   * headers is sent again.
   */
  maxRetries?: number | undefined;
  /** Default 10 minutes. Time to the response headers, then the longest silence allowed inside a stream. */
  timeoutMs?: number | undefined;
  /** Called synchronously; a throwing sink is ignored so that reporting never breaks a model call. */
  onEvent?: ((event: AnthropicModelEvent) => void) | undefined;
}

const DEFAULT_BASE_URL = 'https://api.anthropic.com';

/**
 * The SDK's client with the one resource taskpilot calls. The default `Anthropic` export also
 * builds every other API's resources (beta, files, skills, organization…), most of the SDK's
 * code, all of which would be loaded and compiled before each run's first model request.
 * BaseAnthropic is the SDK's own base for clients (its platform clients extend it too); it
 * carries the auth, retries, timeouts and middleware.
 */
class MessagesClient extends BaseAnthropic {
  readonly messages = new Messages(this);
}
const DEFAULT_MAX_RETRIES = 4;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
/** Consecutive 529 responses (SDK retries included) that trigger the switch to the fallback model. */
const OVERLOADS_BEFORE_FALLBACK = 3;

/** Thrown by the overload middleware to end the current call at once; never leaves this module. */
class FallbackRequested extends Error {}

function isFallbackRequest(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = err; e instanceof Error && !seen.has(e); e = e.cause) {
    if (e instanceof FallbackRequested) return true;
    seen.add(e);
  }
  return false;
}

/** Exponential backoff with jitter, as the SDK does for its own retries: 0.5 s, 1 s, 2 s … capped at 8 s. */
function backoffMs(retry: number): number {
  return Math.min(500 * 2 ** (retry - 1), 8_000) * (1 - Math.random() * 0.25);
}

type Attempt =
  { ok: true; message: ApiMessage } | { ok: false; error: unknown; started: boolean; stalled: boolean };

/**
 * A ModelClient over the Anthropic Messages API, streaming every request.
 *
 * - Retries are the SDK's (see `maxRetries`); a stream cut after its headers is re-sent here, with backoff.
 * - After 3 consecutive 529s with a `fallbackModel` configured, the client switches to it for good and emits
 *   `model_fallback`. `model` always names the model requests go to now.
 * - Every failure is a ModelError whose message never contains the API key.
 * - complete() may run concurrently, but the 529 streak is counted across all calls of the client.
 */
export function createAnthropicModel(opts: AnthropicModelOptions): ModelClient {
  const { apiKey } = opts;
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    throw modelError('the Anthropic API key is missing or empty: no request was sent', 'auth', undefined, '');
  }
  const maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fallbackModel = opts.fallbackModel === '' ? undefined : opts.fallbackModel;
  let current = opts.model;
  let overloadStreak = 0;

  const emit = (event: AnthropicModelEvent): void => {
    try {
      opts.onEvent?.(event);
    } catch {
      // The sink's failure is the sink's to report.
    }
  };

  /** Sees every HTTP attempt, SDK retries included, and ends the call on the 529 that triggers the fallback. */
  const overloadWatch: Middleware = async (request, next) => {
    const response = await next(request);
    if (response.status !== 529) {
      overloadStreak = 0;
      return response;
    }
    overloadStreak += 1;
    if (
      overloadStreak >= OVERLOADS_BEFORE_FALLBACK &&
      fallbackModel !== undefined &&
      fallbackModel !== current
    ) {
      await response.body?.cancel();
      throw new FallbackRequested('switching to the fallback model');
    }
    return response;
  };

  const client = new MessagesClient({
    apiKey,
    baseURL: opts.baseURL ?? DEFAULT_BASE_URL,
    maxRetries,
    timeout: timeoutMs,
    middleware: [overloadWatch],
    openTelemetry: false,
    fetch: fetchFor(opts.baseURL ?? DEFAULT_BASE_URL),
  });

  async function streamOnce(request: ModelRequest, model: string): Promise<Attempt> {
    const stream = client.messages.stream(toCreateParams(request, model, opts.maxTokens), {
      signal: request.signal,
    });
    let started = false;
    let stalled = false;
    let watchdog: NodeJS.Timeout | undefined;
    const rearm = (): void => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        stalled = true;
        stream.abort();
      }, timeoutMs);
    };
    stream.on('connect', () => {
      started = true;
      rearm();
    });
    stream.on('streamEvent', rearm);
    try {
      return { ok: true, message: await stream.finalMessage() };
    } catch (error) {
      return { ok: false, error, started, stalled };
    } finally {
      clearTimeout(watchdog);
    }
  }

  function toResponse(message: ApiMessage, model: string): ModelResponse {
    const { blocks, dropped } = fromContent(message.content);
    if (dropped.length > 0) {
      emit({
        type: 'notice',
        level: 'warning',
        message: `ignored model content blocks: ${dropped.join(', ')}`,
      });
    }
    return {
      content: blocks,
      stopReason: fromStopReason(message.stop_reason),
      usage: fromUsage(message.usage),
      model,
    };
  }

  function switchToFallback(to: string): void {
    const from = current;
    current = to;
    overloadStreak = 0;
    emit({
      type: 'model_fallback',
      from,
      to,
      reason: `${from} answered 529 overloaded ${OVERLOADS_BEFORE_FALLBACK} times in a row`,
    });
  }

  async function complete(request: ModelRequest): Promise<ModelResponse> {
    let streamRetries = 0;
    for (;;) {
      const model = current;
      const attempt = await streamOnce(request, model);
      if (attempt.ok) return toResponse(attempt.message, model);
      const { error, started, stalled } = attempt;
      if (isFallbackRequest(error) && fallbackModel !== undefined && !request.signal.aborted) {
        switchToFallback(fallbackModel);
        continue;
      }
      const failure: ModelError =
        stalled && !request.signal.aborted
          ? modelError(
              `the model stream stalled: no event for ${timeoutMs} ms`,
              'connection',
              undefined,
              apiKey,
            )
          : toModelError(error, request.signal, apiKey, started);
      if (!started || !failure.retryable || streamRetries >= maxRetries) throw failure;
      streamRetries += 1;
      const wait = backoffMs(streamRetries);
      emit({
        type: 'notice',
        level: 'warning',
        message: `${failure.message}; sending the request again in ${Math.round(wait)} ms (${streamRetries}/${maxRetries})`,
      });
      try {
        await delay(wait, undefined, { signal: request.signal });
      } catch {
        throw modelError('model request aborted', 'aborted', undefined, apiKey);
      }
    }
  }

  return {
    get model() {
      return current;
    },
    complete,
  };
}
