import dc from 'node:diagnostics_channel';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a loopback server in this process handled, timed on the bench's clock (performance.now()). */
export interface HttpSpan {
  port: number;
  method: string;
  path: string;
  /** Headers parsed: the request has arrived. */
  start: number;
  /** The response was handed to the OS (NaN while it is open). */
  finish: number;
}

export interface HttpTimeline {
  /** Spans of the server listening on `url`'s port, in arrival order. */
  spans(url: string): HttpSpan[];
  /** Forgets every span so far. */
  clear(): void;
  dispose(): void;
}

interface ServerMessage {
  request: IncomingMessage;
  server: Server;
}

/**
 * Records when every HTTP server in this process receives a request and finishes its response,
 * through Node's built-in `http.server.*` diagnostics channels: the emulators need no change and
 * the timestamps cost nothing measurable.
 */
export function startHttpTimeline(): HttpTimeline {
  const all: HttpSpan[] = [];
  const open = new WeakMap<IncomingMessage, HttpSpan>();
  const onStart = (message: unknown): void => {
    const { request, server } = message as ServerMessage;
    const span: HttpSpan = {
      port: (server.address() as AddressInfo | null)?.port ?? 0,
      method: request.method ?? '',
      path: (request.url ?? '').split('?')[0] ?? '',
      start: performance.now(),
      finish: Number.NaN,
    };
    all.push(span);
    open.set(request, span);
  };
  const onFinish = (message: unknown): void => {
    const span = open.get((message as ServerMessage).request);
    if (span) span.finish = performance.now();
  };
  dc.subscribe('http.server.request.start', onStart);
  dc.subscribe('http.server.response.finish', onFinish);
  return {
    spans: (url) => {
      const port = Number(new URL(url).port);
      return all.filter((s) => s.port === port);
    },
    clear: () => void all.splice(0),
    dispose: () => {
      dc.unsubscribe('http.server.request.start', onStart);
      dc.unsubscribe('http.server.response.finish', onFinish);
    },
  };
}
