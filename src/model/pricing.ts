import type { Usage } from './model-client.js';

/** US dollars per million tokens. */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
}

/** A cache write costs this multiple of the model's input price (5-minute TTL). */
export const CACHE_WRITE_MULTIPLIER = 1.25;
/** A cache read costs this multiple of the model's input price. */
export const CACHE_READ_MULTIPLIER = 0.1;

/** List prices of the models taskpilot knows, by API model id. */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  'claude-opus-5-5': { inputPerMTok: 4, outputPerMTok: 20 },
  'claude-sonnet-5-5': { inputPerMTok: 2, outputPerMTok: 10 },
  // ASSUMPTION: Haiku 5.5's price was not published when this table was written; $1 / $5 is a guess.
  'claude-haiku-5-5': { inputPerMTok: 1, outputPerMTok: 5 },
});

/**
 * The price of `model`, or undefined when it is unknown.
 * A dated snapshot id (`claude-sonnet-5-5-20261001`) has the price of its alias.
 */
export function priceOf(model: string): ModelPrice | undefined {
  return MODEL_PRICES[model] ?? MODEL_PRICES[model.replace(/-\d{8}$/, '')];
}

/**
 * What `usage` cost on `model`, in US dollars.
 * An unknown model costs 0 and comes back with `priced: false`, so budgets can say so instead of guessing.
 */
export function costOf(model: string, usage: Usage): { usd: number; priced: boolean } {
  const price = priceOf(model);
  if (!price) return { usd: 0, priced: false };
  const inputEquivalent =
    usage.inputTokens +
    usage.cacheWriteTokens * CACHE_WRITE_MULTIPLIER +
    usage.cacheReadTokens * CACHE_READ_MULTIPLIER;
  const usd = (inputEquivalent * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
  return { usd, priced: true };
}
