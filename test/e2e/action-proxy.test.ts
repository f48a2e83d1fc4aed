import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScenario, ISSUE, issueCommentPayload } from '../support/action-scenario.js';
import { text } from '../support/anthropic-emulator.js';
import { startConnectProxy } from '../support/connect-proxy.js';
import { DIST_ENTRY, requireDist } from '../support/dist.js';

/**
 * A self-hosted runner behind a proxy: HTTP_PROXY is all the action gets, and the emulators'
 * `.test` names resolve only inside the proxy, so a run that succeeds sent everything through it.
 */

beforeAll(() => requireDist());

describe('behind a proxy', () => {
  it('sends GitHub and model requests through HTTP_PROXY', async ({ onTestFinished }) => {
    const s = await useScenario(onTestFinished);
    const proxy = await startConnectProxy({ 'github.test': '127.0.0.1', 'anthropic.test': '127.0.0.1' });
    onTestFinished(() => proxy.close());
    s.api.script(text('Nothing to change: the README is spelled correctly.'));

    const run = await s.run({
      eventName: 'issue_comment',
      payload: issueCommentPayload('/agent check the spelling in README.md'),
      env: { HTTP_PROXY: proxy.url },
      hosts: { github: 'github.test', anthropic: 'anthropic.test' },
    });

    expect(run.code).toBe(0);
    expect(run.outputs['conclusion']).toBe('success');
    expect(run.modelRequests).toBe(1);
    expect(s.comments(ISSUE)).toHaveLength(1);
    const hosts = new Set(proxy.tunnels.map((t) => t.split(':')[0]));
    expect(hosts).toEqual(new Set(['github.test', 'anthropic.test']));
  });

  it('keeps the bundled undici out of the entry chunk that every start loads', () => {
    // Its error codes mark its code. Loading it would add about 40 ms to every start, so it
    // sits in a chunk of its own, imported by the first proxied request; @actions/core's eager
    // import of it (through its OIDC client) is patched out in patches/.
    const dist = path.dirname(DIST_ENTRY);
    const withUndici = readdirSync(dist).filter(
      (f) => f.endsWith('.js') && readFileSync(path.join(dist, f), 'utf8').includes('UND_ERR_'),
    );
    expect(withUndici).toHaveLength(1);
    expect(withUndici).not.toContain(path.basename(DIST_ENTRY));
  });
});
