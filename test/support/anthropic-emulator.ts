import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrefixCache } from './anthropic-emulator-cache.js';
import {
  errorTypeOf,
  messageJson,
  outputTokensOf,
  sseEvents,
  toReply,
  type CutHow,
  type MessageReply,
  type Reply,
  type ReplyLike,
  type ReplyUsage,
} from './anthropic-emulator-replies.js';
import { invalidReason, messagesBodySchema, type MessagesBody } from './anthropic-emulator-request.js';

export * from './anthropic-emulator-replies.js';
export { lastToolResults, lastUserText, blocksOf } from './anthropic-emulator-request.js';
export type { MessagesBody, WireBlock, WireMessage, WireToolResult } from './anthropic-emulator-request.js';

/**
 * A loopback Anthropic Messages API for tests and benchmarks.
 *
 *   const api = await startAnthropicEmulator();
 *   api.script([thinking('look first'), toolUse('bash', { command: 'ls' })], text('done'));
 *   const model = createAnthropicModel({ apiKey: EMULATOR_API_KEY, baseURL: api.url, … });
 *   …
 *   expect(api.requests[1]?.body?.messages.at(-1)).toMatchObject({ role: 'user' });
 *   await api.close();
 *
 * Replies come from the script queue first (FIFO), then from the responder. A request that finds neither
 * is answered 500 with `x-should-retry: false` (so the SDK gives up at once) and a message naming it.
 */

export const EMULATOR_API_KEY = 'sk-ant-emulator-test-key';
export const EMULATOR_API_VERSION = '2026-10-21';

export interface RecordedRequest {
  /** Arrival order, from 0. */
  index: number;
  method: string;
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  rawBody: string;
  /** The parsed body when it passed validation. */
  body: MessagesBody | undefined;
  /** The status the emulator answered with (set before the body is sent). */
  status?: number;
  /** Usage reported for a message answer. */
  usage?: ReplyUsage;
  /** The message of an error answer: a refusal (validation), an empty script, a responder error, or a scripted error. */
  error?: string;
}

/** Computes the reply to a valid request; `undefined` means "no reply", which fails the request loudly. */
export type Responder = (
  request: RecordedRequest & { body: MessagesBody },
) => ReplyLike | undefined | Promise<ReplyLike | undefined>;

export interface EmulatorOptions {
  /** The key expected as `Authorization: Bearer <key>`. Default EMULATOR_API_KEY. */
  apiKey?: string;
  /** The required `anthropic-version` header. Default EMULATOR_API_VERSION. */
  anthropicVersion?: string;
  /** Smallest prefix, in tokens, that is cached. Default 0 (the real API: 1024–4096 depending on the model). */
  minCacheTokens?: number;
  /** Characters per text / thinking / JSON delta event. Default 24. */
  deltaChars?: number;
  script?: ReplyLike[];
  respond?: Responder;
}

export interface AnthropicEmulator {
  /** Base URL for the SDK's `baseURL`, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** Every request received, in order, including refused ones. */
  readonly requests: readonly RecordedRequest[];
  /** Scripted replies not served yet. */
  readonly pending: number;
  /** Requests that found no reply (empty script and no answer from the responder). */
  readonly unanswered: readonly RecordedRequest[];
  /** Usage summed over all message answers. */
  readonly totals: ReplyUsage;
  /** Appends replies to the script. */
  script(...replies: ReplyLike[]): AnthropicEmulator;
  /** Sets (or clears) the responder used once the script is empty. */
  respond(fn: Responder | undefined): AnthropicEmulator;
  close(): Promise<void>;
}

const sleep = (ms: number, res: ServerResponse): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
    res.on('close', done);
  });

/** Resolves once `data` has left for the socket, so a following destroy() cannot drop the headers. */
const flushed = (res: ServerResponse, data: string): Promise<void> =>
  new Promise((resolve) => res.write(data, () => resolve()));

export async function startAnthropicEmulator(options: EmulatorOptions = {}): Promise<AnthropicEmulator> {
  const apiKey = options.apiKey ?? EMULATOR_API_KEY;
  const version = options.anthropicVersion ?? EMULATOR_API_VERSION;
  const deltaChars = options.deltaChars ?? 24;
  const cache = new PrefixCache(options.minCacheTokens ?? 0);
  const queue: Reply[] = (options.script ?? []).map(toReply);
  const requests: RecordedRequest[] = [];
  const unanswered: RecordedRequest[] = [];
  const signatures = new Map<string, string>();
  const totals: ReplyUsage = {
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  let responder = options.respond;

  const sendError = (
    res: ServerResponse,
    rec: RecordedRequest,
    status: number,
    message: string,
    extra: { type?: string | undefined; headers?: Record<string, string> | undefined } = {},
  ) => {
    rec.status = status;
    rec.error ??= message;
    const requestId = `req_emu_${rec.index}`;
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...extra.headers });
    const error = { type: extra.type ?? errorTypeOf(status), message };
    res.end(JSON.stringify({ type: 'error', error, request_id: requestId }));
  };

  const sendMessage = (res: ServerResponse, rec: RecordedRequest, body: MessagesBody, reply: MessageReply) =>
    sendPartial(res, rec, body, reply, Number.POSITIVE_INFINITY, 'end');

  async function sendPartial(
    res: ServerResponse,
    rec: RecordedRequest,
    body: MessagesBody,
    reply: MessageReply,
    afterEvents: number,
    how: CutHow,
  ): Promise<void> {
    const usage = { ...cache.account(body), output_tokens: outputTokensOf(reply.content) };
    for (const key of Object.keys(totals) as Array<keyof ReplyUsage>) totals[key] += usage[key];
    for (const block of reply.content)
      if (block.type === 'thinking') signatures.set(block.signature, block.thinking);
    rec.status = 200;
    rec.usage = usage;
    const ctx = { id: `msg_emu_${rec.index}`, model: body.model, usage };
    const headers = { 'request-id': `req_emu_${rec.index}` };
    if (body.stream !== true) {
      const json = JSON.stringify(messageJson(reply, ctx));
      res.writeHead(200, { ...headers, 'content-type': 'application/json' });
      if (Number.isFinite(afterEvents)) {
        await flushed(res, json.slice(0, json.length >> 1));
        res.destroy();
      } else res.end(json);
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const events = sseEvents(reply, ctx, deltaChars);
    await flushed(res, events.slice(0, afterEvents).join(''));
    if (afterEvents >= events.length || how === 'end') res.end();
    else if (how === 'destroy') res.destroy();
    else if (how === 'stall') await sleep(Number.POSITIVE_INFINITY, res);
    else {
      const error = { type: how.errorType, message: how.message ?? `emulated mid-stream ${how.errorType}` };
      res.end(`event: error\ndata: ${JSON.stringify({ type: 'error', error })}\n\n`);
    }
  }

  async function serve(
    res: ServerResponse,
    rec: RecordedRequest,
    body: MessagesBody,
    reply: Reply,
  ): Promise<void> {
    switch (reply.kind) {
      case 'message':
        return sendMessage(res, rec, body, reply);
      case 'error':
        return sendError(res, rec, reply.status, reply.message ?? `emulated ${reply.status}`, reply);
      case 'cut':
        return sendPartial(res, rec, body, reply.reply, reply.afterEvents, reply.how);
      case 'delay':
        await sleep(reply.ms, res);
        if (!res.destroyed) await serve(res, rec, body, reply.then);
        return;
      case 'hang':
        return sleep(Number.POSITIVE_INFINITY, res);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const rec: RecordedRequest = {
      index: requests.length,
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0] ?? '',
      headers,
      rawBody: Buffer.concat(chunks).toString('utf8'),
      body: undefined,
    };
    requests.push(rec);

    if (rec.method !== 'POST' || rec.path !== '/v1/messages') {
      return sendError(
        res,
        rec,
        404,
        `${rec.method} ${rec.path}: not found (the emulator serves POST /v1/messages)`,
      );
    }
    if (headers['authorization'] !== `Bearer ${apiKey}`) {
      return sendError(res, rec, 401, 'invalid x-api-key: expected Authorization: Bearer <key>');
    }
    if (headers['anthropic-version'] !== version) {
      const got = headers['anthropic-version'];
      const why =
        got === undefined
          ? 'header is required'
          : `"${got}" is not the version this emulator speaks (${version})`;
      return sendError(res, rec, 400, `anthropic-version: ${why}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(rec.rawBody);
    } catch {
      return sendError(res, rec, 400, 'There was an issue with your request body: invalid JSON');
    }
    const parsed = messagesBodySchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return sendError(
        res,
        rec,
        400,
        `${issue?.path.join('.') ?? 'body'}: ${issue?.message ?? 'invalid request'}`,
      );
    }
    const body = parsed.data;
    const invalid = invalidReason(body, signatures);
    if (invalid !== undefined) return sendError(res, rec, 400, invalid);
    rec.body = body;

    let reply = queue.shift();
    if (reply === undefined && responder !== undefined) {
      try {
        const computed = await responder({ ...rec, body });
        if (computed !== undefined) reply = toReply(computed);
      } catch (err) {
        const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
        return sendError(
          res,
          rec,
          500,
          `anthropic-emulator: the responder threw for request #${rec.index}: ${message}`,
          {
            headers: { 'x-should-retry': 'false' },
          },
        );
      }
    }
    if (reply === undefined) {
      unanswered.push(rec);
      const message = `anthropic-emulator: no reply for request #${rec.index}: the script is empty and no responder answered`;
      return sendError(res, rec, 500, message, { headers: { 'x-should-retry': 'false' } });
    }
    await serve(res, rec, body, reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain', 'x-should-retry': 'false' });
      res.end(
        `anthropic-emulator crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const emulator: AnthropicEmulator = {
    url: `http://127.0.0.1:${port}`,
    requests,
    unanswered,
    totals,
    get pending() {
      return queue.length;
    },
    script(...replies) {
      queue.push(...replies.map(toReply));
      return emulator;
    },
    respond(fn) {
      responder = fn;
      return emulator;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
  return emulator;
}
