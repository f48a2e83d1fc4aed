import { HttpClient } from '@actions/http-client';
import { fetch as undiciFetch, type RequestInit } from 'undici';

/**
 * The fetch every taskpilot HTTP client takes (Octokit and the Anthropic SDK): the bundled
 * undici's, sent through the proxy the runner is configured with for `baseUrl` (`HTTPS_PROXY` /
 * `HTTP_PROXY`, `NO_PROXY`; loopback addresses never use it), as `@actions/http-client` decides.
 *
 * Why not the global fetch: a proxy dispatcher only works with the undici that made it, and
 * `@actions/core` loads the bundled undici anyway. One fetch for every request, proxy or not,
 * keeps the two clients on the same, tested path.
 */
export function fetchFor(baseUrl: string): typeof fetch {
  const dispatcher = new HttpClient().getAgentDispatcher(baseUrl);
  const send = dispatcher
    ? (input: string | URL, init?: RequestInit) => undiciFetch(input, { ...init, dispatcher })
    : (input: string | URL, init?: RequestInit) => undiciFetch(input, init);
  // Another copy of the undici behind Node's global fetch: the same API, other classes.
  return send as unknown as typeof fetch;
}
