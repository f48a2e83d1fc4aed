import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrefixCache } from './anthropic-emulator-cache.js';
import type { MessagesBody } from './anthropic-emulator-request.js';
import {
  EMULATOR_API_KEY,
  lastToolResults,
  startAnthropicEmulator,
  text,
  thinking,
  toolUse,
  type AnthropicEmulator,
} from './anthropic-emulator.js';

let api: AnthropicEmulator;
beforeEach(async () => {
  api = await startAnthropicEmulator();
});
afterEach(async () => {
  await api.close();
});

const HEADERS = {
  'content-type': 'application/json',
  authorization: `Bearer ${EMULATOR_API_KEY}`,
  'anthropic-version': '2026-10-21',
};
const BODY = { model: 'claude-sonnet-5-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };

/** The parts of API answers these tests read. */
interface ApiJson {
  error: { type: string; message: string };
  content: unknown;
}

async function post(body: unknown, headers: Record<string, string> = HEADERS) {
  const res = await fetch(`${api.url}/v1/messages`, { method: 'POST', headers, body: JSON.stringify(body) });
  const raw = await res.text();
  return {
    status: res.status,
    raw,
    json: (res.headers.get('content-type')?.includes('json') ? JSON.parse(raw) : {}) as ApiJson,
  };
}

describe('anthropic emulator: protocol', () => {
  it('answers JSON without stream, and a well-formed SSE stream with it', async () => {
    api.script(
      [thinking('plan'), text('hello'), toolUse('bash', { command: 'ls' }, 'toolu_x')],
      text('again'),
    );
    const plain = await post(BODY);
    expect(plain.json).toMatchObject({
      type: 'message',
      model: 'claude-sonnet-5-5',
      stop_reason: 'tool_use',
      content: [{ type: 'thinking' }, { type: 'text', text: 'hello' }, { type: 'tool_use', id: 'toolu_x' }],
    });

    const streamed = await post({ ...BODY, stream: true });
    const frames = streamed.raw.trim().split('\n\n');
    for (const frame of frames) expect(frame).toMatch(/^event: \w+\ndata: \{.*\}$/);
    const names = frames.map((f) => /^event: (\w+)/.exec(f)?.[1]);
    expect(names[0]).toBe('message_start');
    expect(names.slice(-2)).toEqual(['message_delta', 'message_stop']);
  });

  it('refuses like the real API: auth, version, sampling parameters, forced tools, breakpoints', async () => {
    expect((await post(BODY, { ...HEADERS, authorization: 'Bearer nope' })).status).toBe(401);
    const { 'anthropic-version': _version, ...noVersion } = HEADERS;
    expect((await post(BODY, noVersion)).json.error.message).toMatch(/anthropic-version/);
    const sampled = (await post({ ...BODY, temperature: 0.2 })).json.error;
    expect(sampled.type).toBe('invalid_request_error');
    expect(sampled.message).toContain('temperature');
    expect((await post({ ...BODY, tool_choice: { type: 'any' } })).status).toBe(400);
    const marked = { type: 'text', text: 'x', cache_control: { type: 'ephemeral' } };
    expect(
      (await post({ ...BODY, system: [marked, marked, marked, marked, marked] })).json.error.message,
    ).toMatch(/maximum of 4/);
    expect((await post({ model: 'm', messages: [] })).status).toBe(400);
    expect(api.requests.every((r) => r.error !== undefined)).toBe(true);
  });

  it('rejects a thinking block whose text changed, and tool calls without results', async () => {
    api.script(thinking('original'));
    await post(BODY);
    const { signature } = thinking('original') as { signature: string }; // signatures are deterministic
    const tampered = await post({
      ...BODY,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'edited', signature }] },
        { role: 'user', content: 'go on' },
      ],
    });
    expect(tampered.json.error.message).toMatch(/signature/);
    const orphan = await post({
      ...BODY,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'bash', input: {} }] },
        { role: 'user', content: 'no result' },
      ],
    });
    expect(orphan.json.error.message).toMatch(/without `tool_result`/);
  });

  it('fails loudly, without a retry hint, when no reply is left', async () => {
    const res = await post(BODY);
    expect(res.status).toBe(500);
    expect(res.json.error.message).toMatch(/no reply for request #0/);
    expect(api.unanswered).toHaveLength(1);
  });

  it('computes replies from the request once the script is empty', async () => {
    api.script(toolUse('bash', { command: 'ls' }, 'toolu_1'));
    api.respond((req) => {
      const [result] = lastToolResults(req.body);
      return result ? text(`saw ${String(result.content)}`) : undefined;
    });
    await post(BODY);
    const second = await post({
      ...BODY,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'bash', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.ts' }] },
      ],
    });
    expect(second.json.content).toEqual([{ type: 'text', text: 'saw a.ts' }]);
    expect(api.pending).toBe(0);
  });
});

describe('anthropic emulator: prefix cache', () => {
  const bp = { cache_control: { type: 'ephemeral' } };
  const tool = (name: string, mark = false) => ({
    name,
    input_schema: { type: 'object' },
    ...(mark ? bp : {}),
  });
  const system = [{ type: 'text', text: 'S'.repeat(4000), ...bp }];
  const turn = (i: number, mark: boolean) => [
    { role: 'assistant', content: [{ type: 'tool_use', id: `t${i}`, name: 'bash', input: { i } }] },
    {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: `t${i}`, content: `result ${i}`, ...(mark ? bp : {}) }],
    },
  ];
  const body = (turns: number, over: Partial<MessagesBody> = {}): MessagesBody =>
    ({
      model: 'claude-sonnet-5-5',
      max_tokens: 10,
      tools: [tool('a'), tool('b', true)],
      system,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'go', ...(turns === 0 ? bp : {}) }] },
        ...Array.from({ length: turns }, (_, i) => turn(i, i === turns - 1)).flat(),
      ],
      ...over,
    }) as MessagesBody;

  it('writes up to the last breakpoint, then reads it back', () => {
    const cache = new PrefixCache();
    const first = cache.account(body(0));
    expect(first.cache_read_input_tokens).toBe(0);
    expect(first.input_tokens).toBe(0);
    expect(cache.account(body(0))).toEqual({
      ...first,
      cache_read_input_tokens: first.cache_creation_input_tokens,
      cache_creation_input_tokens: 0,
    });
  });

  it('finds the previous turn within 20 blocks of the moving breakpoint', () => {
    const cache = new PrefixCache();
    const one = cache.account(body(1));
    const two = cache.account(body(2));
    expect(two.cache_read_input_tokens).toBe(one.cache_creation_input_tokens);
    expect(two.cache_creation_input_tokens).toBeGreaterThan(0);
    const jump = cache.account(body(13)); // 22 blocks past the last write: only tools + system hit
    const toolsAndSystem = new PrefixCache().account(body(0, { messages: [{ role: 'user', content: 'x' }] }));
    expect(jump.cache_read_input_tokens).toBe(toolsAndSystem.cache_creation_input_tokens);
  });

  it('separates models, and loses messages (not tools or system) when tool_choice changes', () => {
    const cache = new PrefixCache();
    const base = cache.account(body(1));
    expect(cache.account(body(1, { model: 'claude-opus-5-5' })).cache_read_input_tokens).toBe(0);
    const none = cache.account(body(1, { tool_choice: { type: 'none' } }));
    expect(none.cache_read_input_tokens).toBeGreaterThan(0);
    expect(none.cache_read_input_tokens).toBeLessThan(base.cache_creation_input_tokens);
  });

  it('does not cache prefixes below the minimum, and forgets entries after their ttl', () => {
    let now = 0;
    const cache = new PrefixCache(0, () => now);
    const first = cache.account(body(0));
    now += 5 * 60_000 + 1;
    expect(cache.account(body(0))).toEqual(first);
    const small = new PrefixCache(1_000_000);
    small.account(body(0));
    expect(small.account(body(0)).cache_read_input_tokens).toBe(0);
  });
});
