import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, xmlEscape } from '../../src/background/job-format.js';
import { cleanLogText, MAX_SLICE_BYTES, readLogRange, readLogTail } from '../../src/background/job-log.js';

const dir = mkdtempSync(join(tmpdir(), 'tp-job-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function log(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('cleanLogText', () => {
  it('drops ANSI sequences, progress redraws and control characters', () => {
    expect(cleanLogText('\x1b[32mok\x1b[0m 1\n10%\r50%\r100%\ndone\r\n\x07bell\x00')).toBe(
      'ok 1\n100%\ndone\nbell',
    );
    expect(cleanLogText('\x1b]0;title\x07text\ttab')).toBe('text\ttab');
  });
});

describe('readLogTail', () => {
  it('returns the last whole lines within the line and character limits', () => {
    const path = log('lines.log', Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
    expect(readLogTail(path, { maxLines: 3, maxChars: 1000 }).text).toBe('line 98\nline 99\nline 100');
    const cut = readLogTail(path, { maxLines: 100, maxChars: 30 });
    expect(cut.text).toBe('line 98\nline 99\nline 100');
    expect(cut.end).toBe(cut.size);
  });

  it('drops the partial first line of a read that starts mid-file, and cuts one long line from its front', () => {
    const path = log('long.log', `${'x'.repeat(100_000)}\nlast`);
    expect(readLogTail(path, { maxLines: 5, maxChars: 100 }).text).toBe('last');
    const single = log('single.log', 'y'.repeat(100_000));
    expect(readLogTail(single, { maxLines: 5, maxChars: 100 }).text).toBe('y'.repeat(100));
  });

  it('is empty for an empty or missing log', () => {
    expect(readLogTail(log('empty.log', ''), { maxLines: 5, maxChars: 100 })).toEqual({
      text: '',
      start: 0,
      end: 0,
      size: 0,
    });
    expect(readLogTail(join(dir, 'missing.log'), { maxLines: 5, maxChars: 100 }).size).toBe(0);
  });
});

describe('readLogRange', () => {
  it('clamps offset and limit to the file and to MAX_SLICE_BYTES', () => {
    const path = log('range.log', 'z'.repeat(200_000));
    expect(readLogRange(path, 10, 5)).toEqual({ text: 'zzzzz', start: 10, end: 15, size: 200_000 });
    expect(readLogRange(path, 0, 10_000_000).end).toBe(MAX_SLICE_BYTES);
    expect(readLogRange(path, 500_000, 10)).toMatchObject({ text: '', start: 200_000, end: 200_000 });
  });
});

describe('formatting', () => {
  it('formats durations, sizes and XML text', () => {
    expect([850, 2150, 42_000, 185_000, 1_800_000, 3_720_000, 7_200_000].map(formatDuration)).toEqual([
      '850ms',
      '2.1s',
      '42s',
      '3m 05s',
      '30m',
      '1h 02m',
      '2h',
    ]);
    expect([0, 512, 4200, 2 ** 30].map(formatBytes)).toEqual(['0 B', '512 B', '4.1 KB', '1.0 GB']);
    expect(xmlEscape('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
  });
});
