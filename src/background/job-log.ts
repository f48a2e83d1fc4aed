import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';

/**
 * Reading job logs. A log can be far larger than memory allows (a job printing 1 GB), so
 * every read seeks and reads at most the bytes it returns; nothing here reads a whole file.
 */

/** Part of a log: `text` is bytes [start, end) of a file of `size` bytes, decoded and cleaned. */
export interface LogSlice {
  text: string;
  start: number;
  end: number;
  size: number;
}

/** Largest slice any reader returns, whatever it is asked for. */
export const MAX_SLICE_BYTES = 64 * 1024;

/** The size of the log in bytes; 0 when it does not exist (yet). */
export function logSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Bytes [offset, offset + limit) of the log, clamped to the file and to MAX_SLICE_BYTES. */
export function readLogRange(path: string, offset: number, limit: number): LogSlice {
  const size = logSize(path);
  const start = Math.min(Math.max(0, Math.floor(offset)), size);
  const end = Math.min(size, start + Math.min(Math.max(0, Math.floor(limit)), MAX_SLICE_BYTES));
  return { text: cleanLogText(readBytes(path, start, end).toString('utf8')), start, end, size };
}

/**
 * The last whole lines of the log: at most `maxLines` lines and `maxChars` characters (after
 * cleaning). A line longer than `maxChars` is cut from its front. Empty text for an empty log.
 * `start` is where the returned text begins in the file (approximate after a cut).
 */
export function readLogTail(path: string, opts: { maxLines: number; maxChars: number }): LogSlice {
  const size = logSize(path);
  // Cleaning only shrinks text, so 4 bytes per character (UTF-8) plus slack bounds the read.
  const want = Math.min(MAX_SLICE_BYTES, opts.maxChars * 4 + 1024);
  let start = Math.max(0, size - want);
  const raw = readBytes(path, start, size).toString('utf8');
  let lines = raw.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (start > 0 && lines.length > 1) {
    start += Buffer.byteLength(`${lines[0] ?? ''}\n`);
    lines = lines.slice(1);
  }
  const keep = Math.min(lines.length, Math.max(1, opts.maxLines));
  for (const dropped of lines.slice(0, lines.length - keep)) start += Buffer.byteLength(`${dropped}\n`);
  const kept = cleanLogText(lines.slice(lines.length - keep).join('\n'));
  if (kept.length <= opts.maxChars) return { text: kept, start, end: size, size };
  const text = cutFront(kept, opts.maxChars);
  return { text, start: Math.max(start, size - Buffer.byteLength(text)), end: size, size };
}

/**
 * Makes raw terminal output readable: drops ANSI escape sequences, keeps only what follows
 * the last carriage return of a line (progress bars redraw with \r), and removes other
 * control characters except tab and newline.
 */
export function cleanLogText(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g, '')
      .split('\n')
      .map((line) => {
        const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
        return trimmed.slice(trimmed.lastIndexOf('\r') + 1);
      })
      .join('\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x08\x0b-\x1f\x7f\ufffd]/g, '')
  );
}

/** The last `max` characters of `text`, starting at a line boundary when one is close enough. */
function cutFront(text: string, max: number): string {
  const tail = text.slice(text.length - max);
  const nl = tail.indexOf('\n');
  return nl >= 0 && nl < max / 2 ? tail.slice(nl + 1) : tail;
}

/** Appends a line to the log. Best effort: a log that cannot be written must not stop a job from ending. */
export function appendLogNote(path: string, line: string): void {
  try {
    writeFileSync(path, `${line}\n`, { flag: 'a' });
  } catch {
    // The note only explains a failure that the job's status already reports.
  }
}

/** Bytes [start, end) of the file; fewer when it is shorter, none when it cannot be read. Never throws. */
function readBytes(path: string, start: number, end: number): Buffer {
  const length = Math.max(0, end - start);
  if (length === 0) return Buffer.alloc(0);
  const buffer = Buffer.alloc(length);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  let read = 0;
  try {
    while (read < length) {
      const n = readSync(fd, buffer, read, length - read, start + read);
      if (n === 0) break;
      read += n;
    }
  } catch {
    // An I/O error ends the read: callers show what could be read.
  } finally {
    closeSync(fd);
  }
  return buffer.subarray(0, read);
}
