import {
  AnthropicError,
  APIConnectionError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk/core/error';
import { ModelError, type ModelErrorKind } from './model-client.js';

/** Anything that looks like an Anthropic API key, even one that is not ours. */
const KEY_PATTERN = /sk-ant-[A-Za-z0-9_-]+/g;

/** Shorter "keys" are not searched for: they would blank out ordinary words. */
const MIN_KEY_LENGTH = 8;

/** `text` without `apiKey` and without anything shaped like an Anthropic key. */
export function redact(text: string, apiKey: string): string {
  const withoutKey = apiKey.length >= MIN_KEY_LENGTH ? text.split(apiKey).join('[REDACTED]') : text;
  return withoutKey.replace(KEY_PATTERN, '[REDACTED]');
}

const RETRYABLE: ReadonlySet<ModelErrorKind> = new Set([
  'rate_limited',
  'overloaded',
  'server',
  'connection',
]);

/** A ModelError whose message has been redacted. `retryable` follows from the kind. */
export function modelError(
  message: string,
  kind: ModelErrorKind,
  status: number | undefined,
  apiKey: string,
) {
  return new ModelError(redact(message, apiKey), kind, status, RETRYABLE.has(kind));
}

/**
 * The "prompt is too long" family of 400s. This is the only place where the server's wording is read:
 * the API gives these no error code of their own.
 */
const PROMPT_TOO_LONG =
  /prompt is too long|too many (input )?tokens|exceeds? (the )?(model'?s? )?context (window|length)/i;

function kindOfStatus(status: number, apiMessage: string): ModelErrorKind {
  if (status === 401 || status === 402 || status === 403) return 'auth';
  // 413 is the request-size limit: compacting the conversation cures it like a token-limit 400.
  if (status === 413) return 'prompt_too_long';
  if (status === 400) return PROMPT_TOO_LONG.test(apiMessage) ? 'prompt_too_long' : 'invalid_request';
  if (status === 408) return 'connection';
  if (status === 409) return 'server'; // the SDK retries these lock timeouts like a 5xx
  if (status === 429) return 'rate_limited';
  if (status === 529) return 'overloaded';
  if (status >= 500) return 'server';
  return 'invalid_request';
}

/** An `event: error` inside a 200 stream has a type but no status. */
function kindOfStreamErrorType(type: string | null): ModelErrorKind {
  switch (type) {
    case 'overloaded_error':
      return 'overloaded';
    case 'rate_limit_error':
      return 'rate_limited';
    case 'invalid_request_error':
      return 'invalid_request';
    case 'authentication_error':
    case 'permission_error':
    case 'billing_error':
      return 'auth';
    default:
      return 'server';
  }
}

/**
 * The ModelError for anything the SDK threw. `streamStarted`: the response headers had arrived.
 * `aborted` wins whenever the caller's signal has fired, whatever the SDK made of it.
 */
export function toModelError(
  err: unknown,
  signal: AbortSignal,
  apiKey: string,
  streamStarted: boolean,
): ModelError {
  if (err instanceof ModelError) return err;
  if (signal.aborted || err instanceof APIUserAbortError) {
    return modelError('model request aborted', 'aborted', undefined, apiKey);
  }
  if (err instanceof APIConnectionError) {
    return modelError(`cannot reach the Anthropic API: ${err.message}`, 'connection', undefined, apiKey);
  }
  if (err instanceof APIError) {
    const apiMessage = err.apiMessage ?? err.message;
    // `instanceof` widens the class's type parameters to any: pin the status down again.
    const status = err.status as number | undefined;
    if (status === undefined) {
      const kind = kindOfStreamErrorType(err.type);
      return modelError(
        `Anthropic API stream error (${err.type ?? 'unknown'}): ${apiMessage}`,
        kind,
        undefined,
        apiKey,
      );
    }
    const kind = kindOfStatus(status, apiMessage);
    return modelError(`Anthropic API ${status}: ${apiMessage}`, kind, status, apiKey);
  }
  if (err instanceof AnthropicError && streamStarted) {
    // The SDK wraps transport failures inside a started stream (socket closed, truncated body) this way.
    const cause =
      err.cause instanceof Error && err.cause.message !== err.message ? ` (${err.cause.message})` : '';
    return modelError(`Anthropic API stream failed: ${err.message}${cause}`, 'connection', undefined, apiKey);
  }
  const message = err instanceof Error ? err.message : String(err);
  return modelError(`unexpected model client failure: ${message}`, 'unknown', undefined, apiKey);
}
