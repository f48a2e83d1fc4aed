import { createHash } from 'node:crypto';

/** Content the emulated model answers with (the Messages API's response block shapes). */
export type ReplyBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string };

export type ReplyStopReason =
  'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'refusal' | 'pause_turn';

/** A 200 answer: SSE when the request asked for `stream: true`, JSON otherwise. */
export interface MessageReply {
  kind: 'message';
  content: ReplyBlock[];
  /** Default: `tool_use` when the content has a tool_use block, else `end_turn`. */
  stop_reason?: ReplyStopReason;
}
/** An HTTP error with the API's error body. */
export interface ErrorReply {
  kind: 'error';
  status: number;
  /** Default: the API's type for the status (529 → overloaded_error …). */
  type?: string;
  message?: string;
  headers?: Record<string, string>;
}
/**
 * A 200 that breaks after `afterEvents` SSE events (or halfway through a JSON body):
 * `destroy` kills the socket, `end` closes the response cleanly but early, `stall` keeps the connection
 * open and silent until the client gives up, `{ errorType }` sends an `event: error` (as the API does when
 * it overloads mid-stream) and ends.
 */
export interface CutReply {
  kind: 'cut';
  reply: MessageReply;
  afterEvents: number;
  how: CutHow;
}
export type CutHow = 'destroy' | 'end' | 'stall' | { errorType: string; message?: string };
/** Waits `ms` (or until the client goes away) before serving `then`. */
export interface DelayReply {
  kind: 'delay';
  ms: number;
  then: Reply;
}
/** Never answers; the request ends when the client gives up. */
export interface HangReply {
  kind: 'hang';
}
export type Reply = MessageReply | ErrorReply | CutReply | DelayReply | HangReply;
/** A Reply, or block(s) standing for a message reply with those blocks. */
export type ReplyLike = Reply | ReplyBlock | ReplyBlock[];

let toolIds = 0;

export const text = (value: string): ReplyBlock => ({ type: 'text', text: value });

/** A tool call; `id` defaults to a fresh `toolu_emu_N`. */
export const toolUse = (name: string, input: unknown, id = `toolu_emu_${++toolIds}`): ReplyBlock => ({
  type: 'tool_use',
  id,
  name,
  input,
});

/** The signature the emulator gives a thinking text; it rejects a known signature returned with other text. */
export const signatureOf = (thinkingText: string): string =>
  `sig_emu_${createHash('sha256').update(thinkingText).digest('base64url').slice(0, 32)}`;

export const thinking = (value: string, signature = signatureOf(value)): ReplyBlock => ({
  type: 'thinking',
  thinking: value,
  signature,
});

export const redactedThinking = (data = 'EmulatorRedactedThinkingData=='): ReplyBlock => ({
  type: 'redacted_thinking',
  data,
});

export function message(...content: ReplyBlock[]): MessageReply {
  return { kind: 'message', content };
}

const TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};
export const errorTypeOf = (status: number): string => TYPE_BY_STATUS[status] ?? 'api_error';

export function apiError(
  status: number,
  errorMessage = `emulated ${status}`,
  extra: { type?: string; headers?: Record<string, string> } = {},
): ErrorReply {
  return { kind: 'error', status, message: errorMessage, ...extra };
}

/** A 429; `retryAfterMs` goes out as retry-after-ms (which the SDK prefers) and as whole retry-after seconds. */
export const rateLimited = (retryAfterMs = 1): ErrorReply =>
  apiError(429, 'Number of request tokens has exceeded your per-minute rate limit', {
    headers: {
      'retry-after-ms': String(retryAfterMs),
      'retry-after': String(Math.ceil(retryAfterMs / 1000)),
    },
  });

/** A 529; `retryAfterMs` keeps SDK retries quick in tests. */
export const overloaded = (retryAfterMs = 1): ErrorReply =>
  apiError(529, 'Overloaded', { headers: { 'retry-after-ms': String(retryAfterMs) } });

export const promptTooLong = (): ErrorReply =>
  apiError(400, 'prompt is too long: 212345 tokens > 200000 maximum');

export const cut = (reply: ReplyLike, afterEvents: number, how: CutHow = 'destroy'): CutReply => ({
  kind: 'cut',
  reply: asMessage(reply),
  afterEvents,
  how,
});

export const delayed = (ms: number, then: ReplyLike): DelayReply => ({
  kind: 'delay',
  ms,
  then: toReply(then),
});

export const hang = (): HangReply => ({ kind: 'hang' });

export function toReply(like: ReplyLike): Reply {
  if (Array.isArray(like)) return message(...like);
  return 'kind' in like ? like : message(like);
}

function asMessage(like: ReplyLike): MessageReply {
  const reply = toReply(like);
  if (reply.kind !== 'message') throw new Error(`cut() needs a message reply, got ${reply.kind}`);
  return reply;
}

/** Output tokens ≈ characters / 4, at least 1. */
export function outputTokensOf(content: readonly ReplyBlock[]): number {
  let chars = 0;
  for (const block of content) {
    if (block.type === 'text') chars += block.text.length;
    else if (block.type === 'thinking') chars += block.thinking.length;
    else if (block.type === 'tool_use') chars += JSON.stringify(block.input).length;
  }
  return Math.max(1, Math.ceil(chars / 4));
}

export interface PromptUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}
export type ReplyUsage = PromptUsage & { output_tokens: number };

export interface MessageContext {
  id: string;
  model: string;
  usage: ReplyUsage;
}

export const stopReasonOf = (reply: MessageReply): ReplyStopReason =>
  reply.stop_reason ?? (reply.content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');

/** The non-streaming response body. */
export function messageJson(reply: MessageReply, ctx: MessageContext): Record<string, unknown> {
  return {
    id: ctx.id,
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content: reply.content,
    stop_reason: stopReasonOf(reply),
    stop_sequence: null,
    stop_details: null,
    container: null,
    usage: ctx.usage,
  };
}

const chunks = (value: string, size: number): string[] => {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += size) out.push(value.slice(i, i + size));
  return out.length > 0 ? out : [''];
};

/** The SSE events of a streamed answer, each a complete `event:` + `data:` frame. */
export function sseEvents(reply: MessageReply, ctx: MessageContext, deltaChars: number): string[] {
  const frames: Array<[string, Record<string, unknown>]> = [];
  const push = (name: string, data: Record<string, unknown>) => frames.push([name, { type: name, ...data }]);
  const { output_tokens, ...prompt } = ctx.usage;
  push('message_start', {
    message: {
      ...messageJson(reply, ctx),
      content: [],
      stop_reason: null,
      usage: { ...prompt, output_tokens: 1 },
    },
  });
  push('ping', {});
  reply.content.forEach((block, index) => {
    const delta = (d: Record<string, unknown>) => push('content_block_delta', { index, delta: d });
    switch (block.type) {
      case 'text':
        push('content_block_start', { index, content_block: { type: 'text', text: '' } });
        for (const part of chunks(block.text, deltaChars)) delta({ type: 'text_delta', text: part });
        break;
      case 'thinking':
        push('content_block_start', {
          index,
          content_block: { type: 'thinking', thinking: '', signature: '' },
        });
        for (const part of chunks(block.thinking, deltaChars))
          delta({ type: 'thinking_delta', thinking: part });
        delta({ type: 'signature_delta', signature: block.signature });
        break;
      case 'tool_use':
        push('content_block_start', {
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        });
        for (const part of chunks(JSON.stringify(block.input ?? {}), deltaChars)) {
          delta({ type: 'input_json_delta', partial_json: part });
        }
        break;
      case 'redacted_thinking':
        push('content_block_start', { index, content_block: block });
        break;
    }
    push('content_block_stop', { index });
  });
  push('message_delta', {
    delta: { stop_reason: stopReasonOf(reply), stop_sequence: null },
    usage: { ...prompt, output_tokens },
  });
  push('message_stop', {});
  return frames.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}
