import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOctokit } from '../../src/github/octokit.js';
import { createAnthropicModel } from '../../src/model/anthropic.js';
import { EMULATOR_API_KEY, startAnthropicEmulator, text } from '../support/anthropic-emulator.js';
import { startConnectProxy, withHost, type ConnectProxy } from '../support/connect-proxy.js';
import { GitHubEmulator } from '../support/github-emulator.js';

/**
 * The runner's proxy settings apply to GitHub and to the model alike. The emulators are reached
 * through `.test` names that only the proxy resolves, so a request that succeeds went through it.
 */

const TOKEN = 'ghs_proxyTestToken1234567890abcdef';
const PROXY_VARS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];

let proxy: ConnectProxy;
let gh: GitHubEmulator;
const saved: Record<string, string | undefined> = {};

beforeEach(async () => {
  for (const name of PROXY_VARS) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
  proxy = await startConnectProxy({ 'github.test': '127.0.0.1', 'anthropic.test': '127.0.0.1' });
  gh = await GitHubEmulator.start({ token: TOKEN });
  gh.addRepo('octo/repo');
  gh.setPermission('octo/repo', 'octocat', 'write');
});

afterEach(async () => {
  for (const name of PROXY_VARS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await Promise.all([proxy.close(), gh.close()]);
});

const permissionOf = (baseUrl: string) =>
  createOctokit(TOKEN, { baseUrl, retries: 0 }).request(
    'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
    {
      owner: 'octo',
      repo: 'repo',
      username: 'octocat',
    },
  );

describe('GitHub requests', () => {
  it('go through HTTP_PROXY', async () => {
    process.env['HTTP_PROXY'] = proxy.url;
    const { data } = await permissionOf(withHost(gh.url, 'github.test'));
    expect(data.permission).toBe('write');
    expect(proxy.tunnels).toEqual([`github.test:${new URL(gh.url).port}`]);
  });

  it('take HTTPS_PROXY for https URLs, as api.github.com is', async () => {
    process.env['HTTPS_PROXY'] = proxy.url;
    const port = new URL(gh.url).port;
    // The tunnel opens; TLS then fails against the plain-HTTP emulator, which is all right here.
    await expect(permissionOf(`https://github.test:${port}`)).rejects.toThrow();
    expect(proxy.tunnels).toEqual([`github.test:${port}`]);
  });

  it('skip the proxy for hosts in NO_PROXY', async () => {
    process.env['HTTP_PROXY'] = proxy.url;
    process.env['NO_PROXY'] = 'example.com,github.test';
    // Sent directly, the .test name does not resolve.
    await expect(permissionOf(withHost(gh.url, 'github.test'))).rejects.toThrow();
    expect(proxy.tunnels).toEqual([]);
  });

  it('go directly without proxy settings, and to loopback addresses even with them', async () => {
    expect((await permissionOf(gh.url)).data.permission).toBe('write');
    process.env['HTTP_PROXY'] = proxy.url;
    expect((await permissionOf(gh.url)).data.permission).toBe('write');
    expect(proxy.tunnels).toEqual([]);
  });
});

describe('model requests', () => {
  it('stream through HTTP_PROXY', async ({ onTestFinished }) => {
    const api = await startAnthropicEmulator();
    onTestFinished(() => api.close());
    api.script(text('hello through the proxy'));
    process.env['HTTP_PROXY'] = proxy.url;
    const model = createAnthropicModel({
      apiKey: EMULATOR_API_KEY,
      baseURL: withHost(api.url, 'anthropic.test'),
      model: 'claude-sonnet-5-5',
      maxTokens: 1000,
      maxRetries: 0,
    });
    const response = await model.complete({
      system: 'You are terse.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      tools: [],
      allowTools: true,
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.content).toEqual([{ type: 'text', text: 'hello through the proxy' }]);
    expect(proxy.tunnels).toEqual([`anthropic.test:${new URL(api.url).port}`]);
  });
});
