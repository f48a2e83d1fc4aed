import type { AssistantBlock, Message, UserBlock } from '../model/model-client.js';

/** How many of the latest tool results survive a compaction. */
export const KEEP_RECENT_TOOL_RESULTS = 4;
export const COMPACTED_PLACEHOLDER = '[earlier tool output removed to fit the context window]';

export const CONTINUE_AFTER_MAX_TOKENS =
  'Your previous response was cut off by the output token limit. Continue exactly where you stopped. ' +
  'If you were in the middle of a tool call, issue it again in full.';

export function windDownText(reason: 'max_turns' | 'deadline' | 'budget'): string {
  const why = {
    max_turns: 'the turn limit for this run has been reached',
    deadline: 'the time limit for this run has been reached',
    budget: 'the cost budget for this run has been reached',
  }[reason];
  return (
    `Stop working now: ${why}. Do not call any tools. ` +
    'Reply with a short summary for the maintainer: what was done, what is left, and anything they should check.'
  );
}

/** Text of the assistant's text blocks, joined. Thinking is not part of it. */
export function assistantText(blocks: readonly AssistantBlock[]): string {
  return blocks
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('\n')
    .trim();
}

/**
 * Appends blocks to the last user message, or starts a new user message when the last one
 * is the assistant's. Keeps the user/assistant alternation the API requires.
 */
export function appendUser(messages: Message[], blocks: UserBlock[]): void {
  if (blocks.length === 0) return;
  const last = messages[messages.length - 1];
  if (last?.role === 'user') {
    last.content.push(...blocks);
  } else {
    messages.push({ role: 'user', content: [...blocks] });
  }
}

/**
 * Replaces the content of all but the `keep` most recent tool results with a short
 * placeholder. Returns how many were replaced (0 means compaction cannot help).
 * Pairing is kept: every tool_result stays, with its id.
 */
export function compactToolResults(messages: Message[], keep = KEEP_RECENT_TOOL_RESULTS): number {
  const results = messages.flatMap((m) =>
    m.role === 'user' ? m.content.filter((b) => b.type === 'tool_result') : [],
  );
  let replaced = 0;
  for (const block of results.slice(0, Math.max(0, results.length - keep))) {
    if (block.content.length > COMPACTED_PLACEHOLDER.length) {
      block.content = COMPACTED_PLACEHOLDER;
      replaced++;
    }
  }
  return replaced;
}

/**
 * What to keep of a response cut off by max_tokens: everything but tool calls, whose input
 * may be incomplete and which would otherwise need results. Undefined when nothing is left.
 */
export function keepCutOffResponse(blocks: readonly AssistantBlock[]): AssistantBlock[] | undefined {
  const kept = blocks.filter((b) => b.type !== 'tool_use');
  return kept.length > 0 ? kept : undefined;
}
