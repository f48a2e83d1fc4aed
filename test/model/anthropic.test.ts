import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createAnthropicModel,
  type AnthropicModelEvent,
  type AnthropicModelOptions,
} from '../../src/model/anthropic.js';
import { ModelError, type Message, type ModelRequest, type ToolSpec } from '../../src/model/model-client.js';
import {
  apiError,
  cut,
  delayed,
  EMULATOR_API_KEY,
  hang,
  overloaded,
  promptTooLong,
  rateLimited,
  redactedThinking,
  startAnthropicEmulator,
  text,
  thinking,
  toolUse,
  type AnthropicEmulator,
} from '../support/anthropic-emulator.js';

const bash: ToolSpec = {
  name: 'bash',
  description: 'Runs a shell command.',
  input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
};
const readFile: ToolSpec = {
  name: 'read_file',
  description: 'Reads a file.',
  input_schema: { type: 'object', properties: { path: { type: 'string' } } },
};
const userText = (value: string): Message => ({ role: 'user', content: [{ type: 'text', text: value }] });

let api: AnthropicEmulator;
let events: AnthropicModelEvent[];

beforeEach(async () => {
  api = await startAnthropicEmulator();
  events = [];
});
afterEach(async () => {
  await api.close();
});

function makeModel(extra: Partial<AnthropicModelOptions> = {}) {
  return createAnthropicModel({
    apiKey: EMULATOR_API_KEY,
    baseURL: api.url,
    model: 'claude-sonnet-5-5',
    maxTokens: 1000,
    onEvent: (e) => events.push(e),
    ...extra,
  });
}

function request(over: Partial<ModelRequest> = {}): ModelRequest {
  return {
    system: 'You are taskpilot, a careful coding agent.',
    tools: [bash, readFile],
    messages: [userText('List the files.')],
    allowTools: true,
    signal: new AbortController().signal,
    ...over,
  };
}

async function failure(promise: Promise<unknown>): Promise<ModelError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelError);
  return err as ModelError;
}

describe('createAnthropicModel: answers', () => {
  it('returns a text reply, with usage, from a streamed request the real API would accept', async () => {
    api.script(text('Hello from the emulator, streamed in several deltas.'));
    const res = await makeModel().complete(request());

    expect(res.content).toEqual([
      { type: 'text', text: 'Hello from the emulator, streamed in several deltas.' },
    ]);
    expect(res.stopReason).toBe('end_turn');
    expect(res.model).toBe('claude-sonnet-5-5');
    const rec = api.requests[0];
    expect(rec?.usage?.output_tokens).toBeGreaterThan(1);
    expect(res.usage).toEqual({
      inputTokens: rec?.usage?.input_tokens,
      outputTokens: rec?.usage?.output_tokens,
      cacheReadTokens: rec?.usage?.cache_read_input_tokens,
      cacheWriteTokens: rec?.usage?.cache_creation_input_tokens,
    });
    expect(rec?.headers['authorization']).toBe(`Bearer ${EMULATOR_API_KEY}`);
    expect(rec?.headers['x-api-key']).toBeUndefined();
    expect(rec?.headers['anthropic-version']).toBe('2026-10-21');
    expect(rec?.body).toMatchObject({ model: 'claude-sonnet-5-5', max_tokens: 1000, stream: true });
    for (const field of ['temperature', 'top_p', 'top_k', 'tool_choice'])
      expect(rec?.body).not.toHaveProperty(field);
  });

  it('returns a tool_use reply with its input parsed', async () => {
    api.script([text('Looking.'), toolUse('bash', { command: 'ls -la', nested: { n: [1, 2] } }, 'toolu_1')]);
    const res = await makeModel().complete(request());
    expect(res.stopReason).toBe('tool_use');
    expect(res.content[1]).toEqual({
      type: 'tool_use',
      id: 'toolu_1',
      name: 'bash',
      input: { command: 'ls -la', nested: { n: [1, 2] } },
    });
  });

  it('passes thinking and redacted_thinking blocks back unchanged', async () => {
    api.script([
      thinking('I should list files first.'),
      redactedThinking('c2VjcmV0'),
      toolUse('bash', { command: 'ls' }),
    ]);
    api.script(text('done'));
    const model = makeModel();
    const first = await model.complete(request());
    expect(first.content[0]).toMatchObject({ type: 'thinking', thinking: 'I should list files first.' });
    expect((first.content[0] as { signature: string }).signature).toMatch(/^sig_emu_/);
    expect(first.content[1]).toEqual({ type: 'redacted_thinking', data: 'c2VjcmV0' });

    const toolId = (first.content[2] as { id: string }).id;
    const messages: Message[] = [
      userText('List the files.'),
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolId, content: 'a.ts\nb.ts' }] },
    ];
    await model.complete(request({ messages }));
    const sent = api.requests[1]?.body?.messages[1]?.content;
    expect(sent).toEqual(JSON.parse(JSON.stringify(first.content)));
    expect(api.requests[1]?.status).toBe(200);
  });

  it('sends tool_choice none, with the tools, when tools are not allowed', async () => {
    api.script(text('Summary.'));
    await makeModel().complete(request({ allowTools: false }));
    expect(api.requests[0]?.body?.tool_choice).toEqual({ type: 'none' });
    expect(api.requests[0]?.body?.tools).toHaveLength(2);
  });
});

describe('createAnthropicModel: prompt caching', () => {
  it("marks the last tool, the system prompt, the last block and the previous turn's breakpoint, moving each turn", async () => {
    const model = makeModel();
    let messages: Message[] = [userText('Turn one.')];
    for (let turn = 0; turn < 3; turn++) {
      api.script(toolUse('bash', { command: `echo ${turn}` }, `toolu_${turn}`));
      const before = structuredClone(messages);
      const res = await model.complete(request({ messages }));
      expect(messages).toEqual(before); // the caller's messages are not touched
      messages = [
        ...messages,
        { role: 'assistant', content: res.content },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: `toolu_${turn}`, content: `out ${turn}` }],
        },
      ];
    }
    for (const [turn, rec] of api.requests.entries()) {
      const body = rec.body;
      expect(body?.tools?.map((t) => t['cache_control'] ?? null)).toEqual([null, { type: 'ephemeral' }]);
      expect(body?.system).toEqual([
        {
          type: 'text',
          text: 'You are taskpilot, a careful coding agent.',
          cache_control: { type: 'ephemeral' },
        },
      ]);
      const marked = (body?.messages ?? []).flatMap((m, i) =>
        (m.content as Array<Record<string, unknown>>).flatMap((b, j) =>
          b['cache_control'] ? [`${i}.${j}`] : [],
        ),
      );
      // The newest message, and where the previous request put its breakpoint (a prefix it wrote).
      expect(marked).toEqual(turn === 0 ? ['0.0'] : [`${2 * turn - 2}.0`, `${2 * turn}.0`]);
    }
  });

  it('never marks thinking blocks: the breakpoint goes to the last block that can carry it', async () => {
    api.script(text('ok'));
    const messages: Message[] = [
      userText('Go.'),
      { role: 'assistant', content: [{ type: 'text', text: 'Prefill' }, thinking('hm')] },
    ];
    await makeModel().complete(request({ messages }));
    const last = api.requests[0]?.body?.messages[1]?.content as Array<Record<string, unknown>>;
    expect(last[0]?.['cache_control']).toEqual({ type: 'ephemeral' });
    expect(last[1]).not.toHaveProperty('cache_control');
  });

  it('reads the previous turn from the cache and writes only what is new', async () => {
    const model = makeModel();
    api.script(toolUse('bash', { command: 'ls' }, 'toolu_a'), text('done'));
    const first = await model.complete(request());
    expect(first.usage.cacheReadTokens).toBe(0);
    expect(first.usage.cacheWriteTokens).toBeGreaterThan(0);
    expect(first.usage.inputTokens).toBe(0);
    const firstPrompt = first.usage.cacheWriteTokens;

    const messages: Message[] = [
      userText('List the files.'),
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_a', content: 'a.ts' }] },
    ];
    const second = await model.complete(request({ messages }));
    expect(second.usage.cacheReadTokens).toBe(firstPrompt);
    expect(second.usage.cacheWriteTokens).toBeGreaterThan(0);
    expect(second.usage.cacheWriteTokens).toBeLessThan(firstPrompt);
  });

  it('keeps the cache-read share above 90% over a 30-turn tool session', async () => {
    const system = 'You are taskpilot. '.repeat(400);
    api.respond((req) => toolUse('bash', { command: `step ${req.index}` }, `toolu_${req.index}`));
    const model = makeModel();
    let messages: Message[] = [userText('Fix the bug.')];
    for (let turn = 0; turn < 30; turn++) {
      const res = await model.complete(request({ system, messages }));
      const id = (res.content[0] as { id: string }).id;
      messages = [
        ...messages,
        { role: 'assistant', content: res.content },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: id, content: `output of turn ${turn}\n`.repeat(20) }],
        },
      ];
    }
    const {
      cache_read_input_tokens: read,
      cache_creation_input_tokens: write,
      input_tokens: input,
    } = api.totals;
    expect(read / (read + write + input)).toBeGreaterThanOrEqual(0.9);
  });
});

describe('createAnthropicModel: retries and fallback', () => {
  it('waits for retry-after on 429 and then succeeds', async () => {
    api.script(rateLimited(300), text('ok'));
    const started = Date.now();
    const res = await makeModel().complete(request());
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(res.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(api.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('retries a 500 and then succeeds', async () => {
    api.script(apiError(500, 'Internal server error', { headers: { 'retry-after-ms': '1' } }), text('ok'));
    const res = await makeModel().complete(request());
    expect(res.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(api.requests.map((r) => r.status)).toEqual([500, 200]);
  });

  it('switches to the fallback model after 3 consecutive 529s, for good', async () => {
    api.script(overloaded(), overloaded(), overloaded(), text('from the fallback'), text('again'));
    const model = makeModel({ model: 'claude-opus-5-5', fallbackModel: 'claude-sonnet-5-5' });
    const res = await model.complete(request());

    expect(res.model).toBe('claude-sonnet-5-5');
    expect(model.model).toBe('claude-sonnet-5-5');
    expect(api.requests.map((r) => r.body?.model)).toEqual([
      'claude-opus-5-5',
      'claude-opus-5-5',
      'claude-opus-5-5',
      'claude-sonnet-5-5',
    ]);
    expect(events).toEqual([
      expect.objectContaining({ type: 'model_fallback', from: 'claude-opus-5-5', to: 'claude-sonnet-5-5' }),
    ]);
    await model.complete(request());
    expect(api.requests[4]?.body?.model).toBe('claude-sonnet-5-5');
  });

  it('fails with overloaded after the retries when there is no fallback', async () => {
    api.script(overloaded(), overloaded(), overloaded());
    const err = await failure(makeModel({ maxRetries: 2 }).complete(request()));
    expect(err).toMatchObject({ kind: 'overloaded', status: 529, retryable: true });
    expect(api.requests).toHaveLength(3);
    expect(events.some((e) => e.type === 'model_fallback')).toBe(false);
  });

  it.each([
    ['socket destroyed', 'destroy' as const],
    ['response ended early', 'end' as const],
    ['mid-stream overloaded_error event', { errorType: 'overloaded_error' }],
  ])('sends the request again when the stream breaks after its headers (%s)', async (_name, how) => {
    api.script(cut(text('a long answer that never arrives in full'), 4, how), text('complete answer'));
    const res = await makeModel().complete(request());
    expect(res.content).toEqual([{ type: 'text', text: 'complete answer' }]);
    expect(api.requests).toHaveLength(2);
    expect(events).toEqual([expect.objectContaining({ type: 'notice', level: 'warning' })]);
  });

  it('gives up with a connection error when the stream keeps breaking', async () => {
    api.script(cut(text('x'), 3), cut(text('x'), 3));
    const err = await failure(makeModel({ maxRetries: 1 }).complete(request()));
    expect(err).toMatchObject({ kind: 'connection', retryable: true });
    expect(api.requests).toHaveLength(2);
  });

  it('abandons a stream that goes silent for timeoutMs and sends it again', async () => {
    api.script(cut(text('stalls'), 3, 'stall'), text('fresh'));
    const res = await makeModel({ timeoutMs: 200 }).complete(request());
    expect(res.content).toEqual([{ type: 'text', text: 'fresh' }]);
  });

  it('reports a connection error when no headers arrive within timeoutMs', async () => {
    api.script(delayed(2_000, text('late')));
    const err = await failure(makeModel({ timeoutMs: 100, maxRetries: 0 }).complete(request()));
    expect(err.kind).toBe('connection');
  });
});

describe('createAnthropicModel: failures that retrying cannot cure', () => {
  it('fails fast on 401 with the server message and without the key', async () => {
    const wrongKey = 'sk-ant-api03-wrong-key-0123456789';
    const err = await failure(makeModel({ apiKey: wrongKey }).complete(request()));
    expect(err).toMatchObject({ kind: 'auth', status: 401, retryable: false });
    expect(err.message).toContain('invalid x-api-key');
    expect(err.message).not.toContain(wrongKey);
    expect(api.requests).toHaveLength(1);
  });

  it('redacts the key and anything shaped like one from server messages', async () => {
    api.script(apiError(403, `key ${EMULATOR_API_KEY} may not use this model; see also sk-ant-admin01-zzz`));
    const err = await failure(makeModel().complete(request()));
    expect(err).toMatchObject({ kind: 'auth', status: 403 });
    expect(err.message).toContain('may not use this model');
    expect(err.message).not.toMatch(/sk-ant-/);
  });

  it('fails fast on a 400 with the server message', async () => {
    api.script(apiError(400, 'messages.0.content: Input should be a valid list'));
    const err = await failure(makeModel().complete(request()));
    expect(err).toMatchObject({ kind: 'invalid_request', status: 400, retryable: false });
    expect(err.message).toContain('messages.0.content: Input should be a valid list');
    expect(api.requests).toHaveLength(1);
  });

  it('classifies "prompt is too long" as prompt_too_long', async () => {
    api.script(promptTooLong());
    const err = await failure(makeModel().complete(request()));
    expect(err).toMatchObject({ kind: 'prompt_too_long', status: 400, retryable: false });
    expect(api.requests).toHaveLength(1);
  });

  it('reports aborted when the signal fires mid-request', async () => {
    api.script(hang());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await failure(makeModel().complete(request({ signal: controller.signal })));
    expect(err.kind).toBe('aborted');
  });

  it('reports aborted when the signal fires while the SDK waits to retry', async () => {
    api.script(rateLimited(10_000), text('never needed'));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const err = await failure(makeModel().complete(request({ signal: controller.signal })));
    expect(err.kind).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(api.requests).toHaveLength(1);
  });

  it('reports aborted, sending nothing, when the signal has already fired', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await failure(makeModel().complete(request({ signal: controller.signal })));
    expect(err.kind).toBe('aborted');
    expect(api.requests).toHaveLength(0);
  });

  it('reports aborted when the signal fires during the backoff after a broken stream', async () => {
    api.script(cut(text('x'), 3), text('never needed'));
    const controller = new AbortController();
    const model = makeModel({ onEvent: () => controller.abort() });
    const err = await failure(model.complete(request({ signal: controller.signal })));
    expect(err.kind).toBe('aborted');
    expect(api.requests).toHaveLength(1);
  });

  it('throws auth at construction, before any request, when the key is missing', () => {
    for (const apiKey of ['', '   ']) {
      let thrown: unknown;
      try {
        makeModel({ apiKey });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ModelError);
      expect(thrown).toMatchObject({ kind: 'auth', retryable: false });
    }
    expect(api.requests).toHaveLength(0);
  });
});
