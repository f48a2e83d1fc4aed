import { HttpClient } from '@actions/http-client';
import { fetch as undiciFetch, type RequestInit } from 'undici';

/** The bundled undici's fetch through the proxy `@actions/http-client` picks for `baseUrl`. */
export function proxiedFetch(baseUrl: string): typeof fetch {
  const dispatcher = new HttpClient().getAgentDispatcher(baseUrl);
  const send = (input: string | URL, init?: RequestInit) =>
    undiciFetch(input, dispatcher ? { ...init, dispatcher } : init);
  // Another copy of the undici behind Node's global fetch: the same API, other classes.
  return send as unknown as typeof fetch;
}
