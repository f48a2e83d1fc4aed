import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import { isBinary, BINARY_SNIFF_BYTES, type Workspace } from '../workspace/workspace.js';
import { defineTool, ToolError, type Tool } from './tool.js';

export const DEFAULT_LINE_LIMIT = 2000;
/** Longer lines are cut, with a marker saying how much. */
export const MAX_LINE_CHARS = 2000;
/** The answer stops before this many characters, whatever `limit` says. */
export const MAX_READ_CHARS = 50_000;
const CHUNK_BYTES = 64 * 1024;

const readInput = z.object({
  path: z.string().describe('File path, relative to the repository root.'),
  offset: z.number().int().positive().optional().describe('1-based line number to start from. Default 1.'),
  limit: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(`Maximum number of lines to return. Default ${DEFAULT_LINE_LIMIT}.`),
});
type ReadInput = z.infer<typeof readInput>;

/**
 * read_file: a window of a text file as numbered lines (`cat -n` style). Reads the file in
 * chunks and stops after the window, so a huge log costs no more memory than the window.
 * Throws ToolError for a missing file, a directory, a binary file or an offset past the end.
 */
export function createReadFileTool(deps: { workspace: Workspace }): Tool<ReadInput> {
  const { workspace } = deps;
  return defineTool({
    name: 'read_file',
    description: [
      'Read a text file from the repository. Lines come back numbered (line number, tab, text);',
      'the numbers are not part of the file.',
      `- Returns up to ${DEFAULT_LINE_LIMIT} lines from offset (default: line 1). For large files read the part`,
      '  you need with offset and limit; the answer says where to continue when it stops early.',
      `- Lines longer than ${MAX_LINE_CHARS} characters are cut.`,
      '- Binary files and directories are refused; use bash (ls, find, file) for those.',
    ].join('\n'),
    input: readInput,
    preview: (input) => input.path,
    async execute(input, ctx) {
      const abs = await workspace.resolve(input.path);
      const shown = workspace.relative(abs);
      const info = await stat(abs).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ToolError(`File not found: ${shown}`);
        throw err;
      });
      if (info.isDirectory())
        throw new ToolError(`${shown} is a directory, not a file. Use bash (ls) to list it.`);
      if (!info.isFile()) throw new ToolError(`${shown} is not a regular file (a device, socket or FIFO).`);
      const offset = input.offset ?? 1;
      const window = await readWindow(abs, offset, input.limit ?? DEFAULT_LINE_LIMIT, ctx.signal);
      if (window.binary) throw new ToolError(`${shown} is a binary file; it cannot be read as text.`);
      if (window.lines.length === 0) {
        if (window.totalLines === 0) return `${shown} is empty.`;
        throw new ToolError(
          `offset ${offset} is past the end of ${shown}, which has ${window.totalLines} line(s).`,
        );
      }
      const last = offset + window.lines.length - 1;
      const body = window.lines.map((line, i) => `${String(offset + i).padStart(6)}\t${line}`).join('\n');
      if (!window.more) return body;
      return (
        `${body}\n\n[Showing lines ${offset}-${last} of ${shown}; the file continues. ` +
        `Call read_file with offset=${last + 1} to read more.]`
      );
    },
  });
}

interface Window {
  binary: boolean;
  /** The lines of the window, without their line terminators, long ones cut. */
  lines: string[];
  /** True when the file has lines after the window. */
  more: boolean;
  /** Lines in the file; exact only when the whole file was read (`more` false). */
  totalLines: number;
}

async function readWindow(abs: string, offset: number, limit: number, signal: AbortSignal): Promise<Window> {
  const file = await open(abs, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    const decoder = new StringDecoder('utf8');
    const lines: string[] = [];
    let chars = 0;
    let lineNo = 1; // the line being read
    let kept = ''; // its text, up to MAX_LINE_CHARS + 1 characters, when it is in the window
    let length = 0; // its full length so far
    /** Ends the current line; returns true when the window is full. */
    const endLine = (): boolean => {
      if (lineNo++ < offset) {
        length = 0;
        return false;
      }
      let text = length > MAX_LINE_CHARS ? cutLine(kept, length) : kept;
      if (text.endsWith('\r')) text = text.slice(0, -1);
      lines.push(text);
      chars += text.length + 8;
      kept = '';
      length = 0;
      return lines.length >= limit || chars >= MAX_READ_CHARS;
    };
    for (let first = true; ; first = false) {
      signal.throwIfAborted();
      const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, null);
      if (first && isBinary(buffer.subarray(0, Math.min(bytesRead, BINARY_SNIFF_BYTES)))) {
        return { binary: true, lines: [], more: false, totalLines: 0 };
      }
      const text = bytesRead === 0 ? decoder.end() : decoder.write(buffer.subarray(0, bytesRead));
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        const end = nl === -1 ? text.length : nl;
        // One character beyond the cut limit is kept so endLine() can tell the line was cut.
        if (lineNo >= offset && kept.length <= MAX_LINE_CHARS) {
          kept += text.slice(start, Math.min(end, start + MAX_LINE_CHARS + 1 - kept.length));
        }
        length += end - start;
        if (nl === -1) break;
        start = nl + 1;
        if (endLine())
          return { binary: false, lines, more: await hasMore(file, text, start), totalLines: lineNo - 1 };
      }
      if (bytesRead === 0) {
        // A last line without a trailing newline is still a line.
        if (length > 0) endLine();
        return { binary: false, lines, more: false, totalLines: lineNo - 1 };
      }
    }
  } finally {
    await file.close();
  }
}

/** True when anything follows position `start` of the current chunk, or the file. */
async function hasMore(
  file: Awaited<ReturnType<typeof open>>,
  text: string,
  start: number,
): Promise<boolean> {
  if (start < text.length) return true;
  const probe = Buffer.alloc(1);
  return (await file.read(probe, 0, 1, null)).bytesRead > 0;
}

function cutLine(kept: string, length: number): string {
  return `${kept.slice(0, MAX_LINE_CHARS)}… [line cut: ${length - MAX_LINE_CHARS} more characters]`;
}
