import { createHash } from 'node:crypto';
import type { PromptUsage } from './anthropic-emulator-replies.js';
import { blocksOf, type MessagesBody } from './anthropic-emulator-request.js';

/**
 * Anthropic's prompt cache, as documented:
 * - The prompt is the sequence of blocks tools → system → messages; a prefix is identified by its exact
 *   content (cache_control markers themselves excluded) and the model.
 * - Each block with cache_control is a breakpoint. For each breakpoint the API looks for a cached prefix
 *   ending at that block or at one of the 19 block boundaries before it; the longest hit is read.
 * - Tokens from the end of the hit to the last breakpoint are written, and every breakpoint's prefix is
 *   then cached; tokens after the last breakpoint are plain input.
 * - A change of tool_choice or of the thinking settings invalidates message prefixes (tools and system
 *   prefixes survive).
 * - Entries live 5 minutes (1 hour with ttl "1h") and a hit refreshes them; a breakpoint whose prefix is
 *   shorter than `minTokens` is not cached.
 * Token counts are characters / 4 of each block's JSON, rounded up.
 */

const LOOKBACK_BLOCKS = 20;
const FIVE_MINUTES = 5 * 60_000;
const ONE_HOUR = 60 * 60_000;

interface PromptBlock {
  /** Cumulative tokens up to and including this block. */
  end: number;
  /** Identifies the prefix ending with this block. */
  hash: string;
  /** ttl in ms when this block is a breakpoint. */
  breakpointTtl: number | undefined;
}

const stripCacheControl = (value: Record<string, unknown>): Record<string, unknown> => {
  const { cache_control: _ignored, ...rest } = value;
  return rest;
};

const ttlOf = (value: Record<string, unknown>): number | undefined => {
  const control = value['cache_control'] as { ttl?: string } | null | undefined;
  if (control == null) return undefined;
  return control.ttl === '1h' ? ONE_HOUR : FIVE_MINUTES;
};

export const tokensOf = (text: string): number => Math.ceil(text.length / 4);

/** The request's blocks in prompt order, each with its cumulative token count and prefix hash. */
function promptBlocks(body: MessagesBody): PromptBlock[] {
  const out: PromptBlock[] = [];
  let hash = createHash('sha256').update(`model:${body.model}`).digest('hex');
  let end = 0;
  const add = (key: unknown[], block: Record<string, unknown>) => {
    const json = JSON.stringify([...key, stripCacheControl(block)]);
    hash = createHash('sha256').update(hash).update('\n').update(json).digest('hex');
    end += tokensOf(JSON.stringify(stripCacheControl(block)));
    out.push({ end, hash, breakpointTtl: ttlOf(block) });
  };
  for (const tool of body.tools ?? []) add(['tool'], tool);
  const system =
    typeof body.system === 'string' ? [{ type: 'text', text: body.system }] : (body.system ?? []);
  for (const block of system) add(['system'], block);
  const settings = { tool_choice: body.tool_choice ?? null, thinking: body.thinking ?? null };
  for (const [i, msg] of body.messages.entries()) {
    for (const block of blocksOf(msg)) add([i === 0 ? settings : null, i, msg.role], block);
  }
  return out;
}

export class PrefixCache {
  /** Prefix hash → expiry time (ms since epoch). */
  readonly #entries = new Map<string, number>();

  constructor(
    private readonly minTokens = 0,
    private readonly now: () => number = Date.now,
  ) {}

  /** Usage for one request, recording the prefixes it writes. Call it only for requests that are answered. */
  account(body: MessagesBody): PromptUsage {
    const blocks = promptBlocks(body);
    const total = blocks.at(-1)?.end ?? 0;
    const now = this.now();
    const isLive = (hash: string): boolean => (this.#entries.get(hash) ?? 0) > now;
    const breakpoints = blocks
      .map((block, index) => ({ block, index }))
      .filter(({ block }) => block.breakpointTtl !== undefined && block.end >= this.minTokens);

    let readIndex = -1;
    for (const { index } of breakpoints) {
      for (let j = index; j > index - LOOKBACK_BLOCKS && j > readIndex; j--) {
        if (isLive(blocks[j]?.hash ?? '')) {
          readIndex = j;
          break;
        }
      }
    }
    const readEnd = readIndex >= 0 ? (blocks[readIndex]?.end ?? 0) : 0;
    const last = breakpoints.at(-1)?.block;
    const cachedEnd = Math.max(last?.end ?? 0, readEnd);

    if (readIndex >= 0) {
      const hit = blocks[readIndex];
      if (hit) this.#entries.set(hit.hash, Math.max(this.#entries.get(hit.hash) ?? 0, now + FIVE_MINUTES));
    }
    for (const { block } of breakpoints) {
      const expiry = now + (block.breakpointTtl ?? FIVE_MINUTES);
      this.#entries.set(block.hash, Math.max(this.#entries.get(block.hash) ?? 0, expiry));
    }
    return {
      cache_read_input_tokens: readEnd,
      cache_creation_input_tokens: cachedEnd - readEnd,
      input_tokens: total - cachedEnd,
    };
  }
}
