import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createGitFixture, type GitFixture } from '../test/support/git-fixture.js';

/**
 * The demo's sample project: a tiny Node package (no dependencies, tests with `node --test`)
 * that renders a changelog. `pad` uses padEnd, so March 5 comes out as `2026-30-50`; one test
 * fails on `main`. It lives in a bare `origin` with a clone as the workspace, made by the tests'
 * git fixture (isolated git config, real git).
 */

const FORMAT_DATE = `/** Two digits, zero-padded. */
const pad = (n) => String(n).padEnd(2, '0');

/** A date as YYYY-MM-DD, in UTC. */
export function formatDate(date) {
  return \`\${date.getUTCFullYear()}-\${pad(date.getUTCMonth() + 1)}-\${pad(date.getUTCDate())}\`;
}
`;

const CHANGELOG_JS = `import { formatDate } from './format-date.js';

/** Markdown for a list of releases, newest first. */
export function renderChangelog(releases) {
  const sorted = [...releases].sort((a, b) => b.date - a.date);
  const sections = sorted.map((r) => [\`## \${r.version} — \${formatDate(r.date)}\`, '', ...r.notes.map((n) => \`- \${n}\`)].join('\\n'));
  return ['# Changelog', '', sections.join('\\n\\n'), ''].join('\\n');
}
`;

const RELEASES_JS = `/** The project's releases; CHANGELOG.md is generated from these (npm run changelog). */
export const releases = [
  { version: '1.2.0', date: new Date(Date.UTC(2025, 11, 24)), notes: ['Group notes by section'] },
  { version: '1.3.0', date: new Date(Date.UTC(2026, 0, 9)), notes: ['Link pull requests'] },
  { version: '1.4.0', date: new Date(Date.UTC(2026, 2, 5)), notes: ['Support pre-releases'] },
];
`;

const CHANGELOG_BIN = `import { releases } from '../src/releases.js';
import { renderChangelog } from '../src/changelog.js';

process.stdout.write(renderChangelog(releases));
`;

const FORMAT_DATE_TEST = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDate } from '../src/format-date.js';

test('keeps two-digit months and days', () => {
  assert.equal(formatDate(new Date(Date.UTC(2025, 11, 24))), '2025-12-24');
});

test('pads single-digit months', () => {
  assert.equal(formatDate(new Date(Date.UTC(2026, 2, 15))), '2026-03-15');
});

test('pads single-digit days', () => {
  assert.equal(formatDate(new Date(Date.UTC(2026, 10, 5))), '2026-11-05');
});
`;

const CHANGELOG_TEST = `import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { renderChangelog } from '../src/changelog.js';
import { releases } from '../src/releases.js';

test('lists releases newest first', () => {
  const text = renderChangelog(releases);
  assert.ok(text.indexOf('## 1.4.0') < text.indexOf('## 1.3.0'));
});

test('renders the full release history', async () => {
  // Stands in for the slow part of a real suite, so the demo's background job runs a while.
  await sleep(1000);
  assert.match(renderChangelog(releases), /^## 1\\.2\\.0 — 2025-12-24$/m);
});
`;

const PACKAGE_JSON = `${JSON.stringify(
  {
    name: 'release-notes',
    version: '1.4.0',
    private: true,
    type: 'module',
    scripts: { test: 'node --test', changelog: 'node bin/changelog.js > CHANGELOG.md' },
  },
  null,
  2,
)}\n`;

/** CHANGELOG.md as `main` has it: generated with the bug. */
const CHANGELOG_MD = `# Changelog

## 1.4.0 — 2026-30-50

- Support pre-releases

## 1.3.0 — 2026-10-90

- Link pull requests

## 1.2.0 — 2025-12-24

- Group notes by section
`;

export const SAMPLE_FILES: Readonly<Record<string, string>> = {
  'README.md': '# release-notes\n\nRenders CHANGELOG.md from `src/releases.js`: `npm run changelog`.\n',
  'package.json': PACKAGE_JSON,
  'src/format-date.js': FORMAT_DATE,
  'src/changelog.js': CHANGELOG_JS,
  'src/releases.js': RELEASES_JS,
  'bin/changelog.js': CHANGELOG_BIN,
  'test/format-date.test.js': FORMAT_DATE_TEST,
  'test/changelog.test.js': CHANGELOG_TEST,
  'CHANGELOG.md': CHANGELOG_MD,
};

/** A bare origin whose `main` holds the sample project, and a clone of it on `main`. */
export async function createSampleRepo(): Promise<GitFixture> {
  const fixture = await createGitFixture();
  const dir = fixture.workspace;
  for (const [file, content] of Object.entries(SAMPLE_FILES)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  await fixture.git(dir, 'add', '--all');
  await fixture.git(dir, 'commit', '--quiet', '-m', 'release-notes 1.4.0');
  await fixture.git(dir, 'push', '--quiet', 'origin', 'main');
  return fixture;
}
