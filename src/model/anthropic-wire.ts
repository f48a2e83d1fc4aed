import type {
  ContentBlock,
  ContentBlockParam,
  Message as ApiMessage,
  MessageCreateParamsBase,
  MessageParam,
  StopReason as ApiStopReason,
  TextBlockParam,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';
import type { AssistantBlock, Message, ModelRequest, StopReason, Usage } from './model-client.js';

/**
 * Pure translation between the ModelClient port and the Messages API wire shapes.
 * Nothing here mutates its inputs: every block that is sent is a fresh copy.
 */

const EPHEMERAL = { type: 'ephemeral' } as const;

/** Blocks the API refuses a cache_control on: they must go back exactly as they came. */
const isUncacheable = (block: ContentBlockParam): boolean =>
  block.type === 'thinking' || block.type === 'redacted_thinking';

/**
 * The request body for one turn, without `stream` (the SDK's stream() sets it).
 *
 * Cache breakpoints (3 of the API's 4): the last tool, the system prompt, and the last block that can carry
 * one in the last message, so the cached prefix moves forward every turn.
 * Never sets temperature, top_p or top_k, and never forces a tool: `allowTools: false` sends
 * `tool_choice: none`, otherwise tool_choice is omitted (auto).
 */
export function toCreateParams(
  request: ModelRequest,
  model: string,
  maxTokens: number,
): MessageCreateParamsBase {
  const params: MessageCreateParamsBase = {
    model,
    max_tokens: maxTokens,
    messages: withLastBreakpoint(request.messages.map(toMessageParam)),
  };
  if (request.system !== '') {
    const system: TextBlockParam = { type: 'text', text: request.system, cache_control: EPHEMERAL };
    params.system = [system];
  }
  if (request.tools.length > 0) {
    params.tools = request.tools.map((spec, i): Tool => ({
      name: spec.name,
      description: spec.description,
      input_schema: { type: 'object', ...spec.input_schema },
      ...(i === request.tools.length - 1 ? { cache_control: EPHEMERAL } : {}),
    }));
    if (!request.allowTools) params.tool_choice = { type: 'none' };
  }
  return params;
}

function toMessageParam(message: Message): MessageParam {
  if (message.role === 'user') {
    return {
      role: 'user',
      content: message.content.map((block): ContentBlockParam => {
        if (block.type === 'text') return { type: 'text', text: block.text };
        return {
          type: 'tool_result',
          tool_use_id: block.tool_use_id,
          content: block.content,
          ...(block.is_error === undefined ? {} : { is_error: block.is_error }),
        };
      }),
    };
  }
  return {
    role: 'assistant',
    content: message.content.map((block): ContentBlockParam => {
      switch (block.type) {
        case 'text':
          return { type: 'text', text: block.text };
        case 'tool_use':
          return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
        case 'thinking':
        case 'redacted_thinking':
          // Verbatim, including any field the port's type does not name.
          return { ...block };
      }
    }),
  };
}

/**
 * Puts the moving breakpoints: on the last cacheable block of the conversation (the prefix the
 * next request will read), and on the last cacheable block before the latest assistant turn
 * (exactly where the previous request put its own, which it wrote). The API looks back only
 * 20 blocks from a breakpoint for a cached prefix, so without the second one a turn with many
 * tool calls would miss the cache. With the tools and the system prompt, that is the API's
 * limit of 4 breakpoints.
 */
function withLastBreakpoint(messages: MessageParam[]): MessageParam[] {
  const last = markLastCacheable(messages, messages.length - 1);
  if (last < 0) return messages;
  let previous = last;
  while (previous >= 0 && messages[previous]?.role !== 'assistant') previous--;
  markLastCacheable(messages, previous - 1);
  return messages;
}

/** Marks the last cacheable block at or before message `from`; returns that message's index, or -1. */
function markLastCacheable(messages: MessageParam[], from: number): number {
  for (let m = from; m >= 0; m--) {
    const content = messages[m]?.content;
    if (!Array.isArray(content)) continue;
    for (let b = content.length - 1; b >= 0; b--) {
      const block = content[b];
      if (block === undefined || isUncacheable(block)) continue;
      content[b] = { ...block, cache_control: EPHEMERAL } as ContentBlockParam;
      return m;
    }
  }
  return -1;
}

/** The answer's blocks in port shapes; blocks of other types (server tools) are returned in `dropped`. */
export function fromContent(content: readonly ContentBlock[]): {
  blocks: AssistantBlock[];
  dropped: string[];
} {
  const blocks: AssistantBlock[] = [];
  const dropped: string[] = [];
  for (const block of content) {
    switch (block.type) {
      case 'text':
        blocks.push({ type: 'text', text: block.text });
        break;
      case 'tool_use':
        blocks.push({ type: 'tool_use', id: block.id, name: block.name, input: block.input });
        break;
      case 'thinking':
      case 'redacted_thinking':
        // Verbatim: the API checks the signature when the block comes back.
        blocks.push({ ...block });
        break;
      default:
        dropped.push(block.type);
    }
  }
  return { blocks, dropped };
}

/**
 * The port's stop reason. `model_context_window_exceeded` becomes `max_tokens` (the answer was cut short);
 * a missing one (a stream that ended without message_delta) counts as `end_turn`.
 */
export function fromStopReason(reason: ApiStopReason | null): StopReason {
  if (reason === null) return 'end_turn';
  return reason === 'model_context_window_exceeded' ? 'max_tokens' : reason;
}

/** Token counts; the API's nulls count 0. */
export function fromUsage(usage: ApiMessage['usage']): Usage {
  return {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
  };
}
