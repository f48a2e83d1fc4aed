import { getProxyUrl } from '@actions/http-client/lib/proxy';

/**
 * The fetch every taskpilot HTTP client takes (Octokit and the Anthropic SDK) for requests to
 * `baseUrl`. It honours the runner's proxy settings (`HTTPS_PROXY` / `HTTP_PROXY`, `NO_PROXY`;
 * loopback addresses never use one) as `@actions/http-client` reads them:
 * - without a proxy for `baseUrl`, Node's own fetch;
 * - with one, the bundled undici's fetch through `@actions/http-client`'s proxy dispatcher
 *   (a dispatcher only works with the undici that made it). Loading undici costs about 40 ms,
 *   so it sits in a chunk of its own in dist/, loaded by the first proxied request.
 */
export function fetchFor(baseUrl: string): typeof fetch {
  const proxy = getProxyUrl(new URL(baseUrl));
  if (!proxy?.hostname) return globalThis.fetch;
  let proxied: Promise<typeof fetch> | undefined;
  return async (input, init) => {
    proxied ??= import('./proxied-fetch.js').then((m) => m.proxiedFetch(baseUrl));
    return (await proxied)(input, init);
  };
}
