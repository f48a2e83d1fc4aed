import { describe, expect, it } from 'vitest';
import { emptyUsage, type Usage } from '../../src/model/model-client.js';
import { costOf, priceOf } from '../../src/model/pricing.js';

const MTOK = 1_000_000;
const usage = (over: Partial<Usage>): Usage => ({ ...emptyUsage(), ...over });

describe('costOf', () => {
  it.each([
    ['claude-sonnet-5-5', 2, 10],
    ['claude-opus-5-5', 4, 20],
    ['claude-haiku-5-5', 1, 5],
  ])('prices %s at $%d / $%d per million input / output tokens', (model, input, output) => {
    expect(costOf(model, usage({ inputTokens: MTOK }))).toEqual({ usd: input, priced: true });
    expect(costOf(model, usage({ outputTokens: MTOK }))).toEqual({ usd: output, priced: true });
  });

  it('charges cache writes at 1.25x and cache reads at 0.1x the input price', () => {
    expect(costOf('claude-sonnet-5-5', usage({ cacheWriteTokens: MTOK })).usd).toBeCloseTo(2.5, 10);
    expect(costOf('claude-sonnet-5-5', usage({ cacheReadTokens: MTOK })).usd).toBeCloseTo(0.2, 10);
    expect(
      costOf('claude-opus-5-5', usage({ cacheWriteTokens: MTOK, cacheReadTokens: MTOK })).usd,
    ).toBeCloseTo(5.4, 10);
  });

  it('adds every kind of token', () => {
    const all = usage({
      inputTokens: 1000,
      outputTokens: 500,
      cacheWriteTokens: 2000,
      cacheReadTokens: 10_000,
    });
    // 1000·2 + 2000·2.5 + 10000·0.2 + 500·10, per million
    expect(costOf('claude-sonnet-5-5', all).usd).toBeCloseTo(0.014, 10);
  });

  it('costs an unknown model 0 and says it is unpriced', () => {
    expect(costOf('gpt-imaginary', usage({ inputTokens: MTOK, outputTokens: MTOK }))).toEqual({
      usd: 0,
      priced: false,
    });
  });

  it('prices a dated snapshot like its alias', () => {
    expect(priceOf('claude-opus-5-5-20261101')).toEqual(priceOf('claude-opus-5-5'));
    expect(priceOf('claude-opus-5-5-preview')).toBeUndefined();
  });
});
