import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A small, deterministic TypeScript repository for the sessions the bench scripts: source files
 * of a few KB (what read_file returns in a real session), and a test script whose output looks
 * like a test runner's (a failing run of ~4 KB, then a passing one). The same content on every
 * run, so token counts and timings compare across runs.
 */
export interface BenchRepo {
  root: string;
  /** Workspace-relative paths of the source files, src/module-01.ts … */
  files: string[];
  /** A line that occurs exactly once in `file` (for edit_file). */
  uniqueLine(file: string): string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** About `targetChars` characters of plausible TypeScript; every line of module `m` is unique. */
function moduleSource(m: number, targetChars: number): string {
  const lines = [
    `import { readFile } from 'node:fs/promises';`,
    `import type { Options } from './options.js';`,
    '',
    `/** Module ${m}: parsing and validation helpers for the m${m} records. */`,
  ];
  for (let f = 1; lines.join('\n').length < targetChars; f++) {
    lines.push(
      '',
      `/** Parses one m${m} record (variant ${f}); throws on a malformed line. */`,
      `export async function parseRecord${m}x${f}(file: string, options: Options): Promise<Record${m}[]> {`,
      `  const text = await readFile(file, 'utf8');`,
      `  const out: Record${m}[] = [];`,
      `  for (const [index, line] of text.split('\\n').entries()) {`,
      `    if (line.trim() === '' || line.startsWith('#')) continue;`,
      `    const [id, name, value] = line.split(options.separator ?? ',');`,
      `    if (id === undefined || name === undefined) throw new Error(\`\${file}:\${index + 1}: expected id and name (m${m}.${f})\`);`,
      `    out.push({ id: Number(id), name: name.trim(), value: Number(value ?? ${f}) * ${m} });`,
      '  }',
      '  return out;',
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

function testOutput(passing: boolean): string {
  const lines: string[] = [' RUN  v4.1.12 /work/repo', ''];
  for (let m = 1; m <= 12; m++) {
    const fails = !passing && m === 3;
    lines.push(
      ` ${fails ? '❯' : '✓'} test/module-${pad(m)}.test.ts (${8 + m} tests${fails ? ' | 1 failed' : ''}) ${40 + m * 7}ms`,
    );
    if (fails) {
      lines.push(`   × parseRecord3x2 > rejects a line without a name ${12}ms`);
      lines.push(
        `     → expected [Function] to throw error including 'expected id and name' but got 'Cannot read properties of undefined'`,
      );
    }
  }
  if (!passing) {
    lines.push('', '⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯', '');
    lines.push(' FAIL  test/module-03.test.ts > parseRecord3x2 > rejects a line without a name');
    lines.push(
      "AssertionError: expected [Function] to throw error including 'expected id and name' but got 'Cannot read properties of undefined (reading 'trim')'",
    );
    for (let i = 0; i < 14; i++) lines.push(` ❯ src/module-03.ts:${20 + i}:${5 + i} parseRecord3x2`);
    lines.push(
      '',
      '  - Expected',
      '  + Received',
      '',
      '  - expected id and name (m3.2)',
      "  + Cannot read properties of undefined (reading 'trim')",
    );
  }
  lines.push('', ` Test Files  ${passing ? '12 passed' : '1 failed | 11 passed'} (12)`);
  lines.push(
    `      Tests  ${passing ? '174 passed' : '1 failed | 173 passed'} (174)`,
    '   Start at  06:12:41',
    '   Duration  2.84s',
  );
  return `${lines.join('\n')}\n`;
}

export function createBenchRepo(options: { files?: number } = {}): BenchRepo {
  const root = mkdtempSync(path.join(tmpdir(), 'taskpilot-bench-repo-'));
  const count = options.files ?? 24;
  mkdirSync(path.join(root, 'src'));
  mkdirSync(path.join(root, 'scripts'));
  const files: string[] = [];
  const sources = new Map<string, string>();
  for (let m = 1; m <= count; m++) {
    const file = `src/module-${pad(m)}.ts`;
    // 2–6 KB, varying by module.
    const source = moduleSource(m, 2000 + ((m * 1733) % 4000));
    writeFileSync(path.join(root, file), source);
    files.push(file);
    sources.set(file, source);
  }
  writeFileSync(
    path.join(root, 'README.md'),
    '# records\n\nParsers for the m-records, one module per format.\n\nRun `sh scripts/test.sh`.\n',
  );
  writeFileSync(
    path.join(root, 'package.json'),
    '{ "name": "records", "type": "module", "scripts": { "test": "sh scripts/test.sh" } }\n',
  );
  writeFileSync(path.join(root, 'scripts', 'failing.txt'), testOutput(false));
  writeFileSync(path.join(root, 'scripts', 'passing.txt'), testOutput(true));
  // The first run fails, later ones pass (a marker file records the first run).
  const script = path.join(root, 'scripts', 'test.sh');
  writeFileSync(
    script,
    'cd "$(dirname "$0")"\nif [ -f .ran ]; then cat passing.txt; else touch .ran; cat failing.txt; exit 1; fi\n',
  );
  chmodSync(script, 0o755);
  return {
    root,
    files,
    uniqueLine(file) {
      const line = sources
        .get(file)
        ?.split('\n')
        .find((l) => l.includes('throw new Error'));
      if (line === undefined) throw new Error(`no unique line in ${file}`);
      return line;
    },
  };
}
