import { randomBytes } from 'node:crypto';
import {
  lstat,
  mkdir,
  readFile,
  readlink,
  realpath,
  rename,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { ToolError } from '../tools/tool.js';

/** Same limit as the kernel's ELOOP. */
const MAX_SYMLINKS = 40;
/** Files larger than this are not loaded whole into memory (edit_file, readText). */
export const MAX_TEXT_BYTES = 16 * 1024 * 1024;
/** A file with a NUL byte in its first BINARY_SNIFF_BYTES is treated as binary. */
export const BINARY_SNIFF_BYTES = 8192;

/**
 * The repository the agent works in, and the guard on every path a tool touches.
 *
 * Contract: `resolve` returns an absolute real path (every existing component has had its
 * symlinks followed) that lies inside `root`, or throws ToolError. Tools must only touch the
 * path `resolve` returned, never the path the model gave. The check is a point-in-time check:
 * it does not defend against a process that swaps a directory for a symlink between the check
 * and the use (the agent's own bash commands could do that anyway).
 */
export class Workspace {
  private constructor(readonly root: string) {}

  /** Throws (a plain Error: this is a configuration failure) unless `root` is a directory. */
  static async open(root: string): Promise<Workspace> {
    const real = await realpath(root);
    const info = await stat(real);
    if (!info.isDirectory()) throw new Error(`Workspace root is not a directory: ${root}`);
    return new Workspace(real);
  }

  /**
   * Resolves a path given by the model. Relative paths are relative to `root`; absolute paths
   * are accepted when they resolve inside it. Symlinks and `..` are followed the way the kernel
   * would follow them; a missing tail (a file about to be created) is appended to the real
   * path of its nearest existing ancestor. Throws ToolError for an empty path, a NUL byte, or
   * a path that resolves outside the workspace.
   */
  async resolve(path: string): Promise<string> {
    if (path.trim() === '')
      throw new ToolError('Path is empty. Give a path relative to the repository root.');
    if (path.includes('\0')) throw new ToolError('Path contains a NUL byte.');
    const real = isAbsolute(path) ? await walk('/', path) : await walk(this.root, path);
    if (!this.contains(real)) {
      throw new ToolError(
        `Path "${path}" resolves to ${real}, which is outside the workspace. ` +
          `Only paths inside ${this.root} can be used.`,
      );
    }
    return real;
  }

  /** `abs` relative to the root for display ("." for the root); paths outside stay absolute. */
  relative(abs: string): string {
    if (!this.contains(abs)) return abs;
    return relative(this.root, abs) || '.';
  }

  /**
   * Reads a resolved path as UTF-8 text. Throws ToolError when it is missing, a directory,
   * binary (a NUL byte in its first 8 KB) or larger than MAX_TEXT_BYTES.
   */
  async readText(abs: string): Promise<string> {
    const shown = this.relative(abs);
    const info = await stat(abs).catch((err: unknown) => toolErrorFor(err, shown));
    if (info.isDirectory())
      throw new ToolError(`${shown} is a directory, not a file. Use bash (ls) to list it.`);
    if (!info.isFile()) throw new ToolError(`${shown} is not a regular file (a device, socket or FIFO).`);
    if (info.size > MAX_TEXT_BYTES) {
      throw new ToolError(
        `${shown} is ${info.size} bytes, more than the ${MAX_TEXT_BYTES}-byte limit for this tool. ` +
          'Use bash (head, tail, sed -n, grep) to work with it.',
      );
    }
    const bytes = await readFile(abs).catch((err: unknown) => toolErrorFor(err, shown));
    if (isBinary(bytes)) throw new ToolError(`${shown} is a binary file; it cannot be read as text.`);
    return bytes.toString('utf8');
  }

  /**
   * Writes `content` (UTF-8) to a resolved path, creating missing parent directories.
   * The write is atomic: a temporary file in the same directory is renamed over the target,
   * so readers never see a half-written file. An existing file keeps its permission bits.
   * Throws ToolError when the target is a directory or a parent is a file.
   */
  async writeText(abs: string, content: string): Promise<{ created: boolean; bytes: number }> {
    const shown = this.relative(abs);
    const existing = await stat(abs).catch((err: unknown) => {
      if (errCode(err) === 'ENOENT') return undefined;
      return toolErrorFor(err, shown);
    });
    if (existing?.isDirectory())
      throw new ToolError(`${shown} is a directory; it cannot be written as a file.`);
    const dir = dirname(abs);
    await mkdir(dir, { recursive: true }).catch((err: unknown) => toolErrorFor(err, this.relative(dir)));
    const tmp = join(dir, `.${basename(abs)}.taskpilot-${randomBytes(6).toString('hex')}.tmp`);
    const data = Buffer.from(content, 'utf8');
    try {
      await writeFile(tmp, data, existing ? { mode: existing.mode & 0o7777 } : {});
      await rename(tmp, abs);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      toolErrorFor(err, shown);
    }
    return { created: existing === undefined, bytes: data.length };
  }

  private contains(abs: string): boolean {
    if (abs === this.root) return true;
    return abs.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep);
  }
}

/** True when `bytes` has a NUL byte in its first BINARY_SNIFF_BYTES. */
export function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/**
 * Follows `path` from the real directory `start` component by component, as the kernel would:
 * symlinks are expanded (dangling ones too, so a link to a missing file outside is caught),
 * `..` goes to the parent of the real path reached so far, and components that do not exist
 * are appended as they are.
 */
async function walk(start: string, path: string): Promise<string> {
  let current = start;
  const pending = components(path);
  let links = 0;
  for (let part = pending.shift(); part !== undefined; part = pending.shift()) {
    if (part === '.') continue;
    if (part === '..') {
      current = dirname(current);
      continue;
    }
    const next = join(current, part);
    let isLink: boolean;
    try {
      isLink = (await lstat(next)).isSymbolicLink();
    } catch (err) {
      const code = errCode(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      current = next;
      continue;
    }
    if (!isLink) {
      current = next;
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new ToolError(`Too many levels of symbolic links in "${path}".`);
    const target = await readlink(next);
    pending.unshift(...components(target));
    if (isAbsolute(target)) current = '/';
  }
  return current;
}

function components(path: string): string[] {
  return path.split('/').filter((part) => part !== '');
}

function errCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code;
  return undefined;
}

/** Turns the file-system errors the model can act on into ToolError; rethrows anything else. */
function toolErrorFor(err: unknown, shown: string): never {
  switch (errCode(err)) {
    case 'ENOENT':
      throw new ToolError(`File not found: ${shown}`);
    case 'ENOTDIR':
      throw new ToolError(`A parent of ${shown} is a file, not a directory.`);
    case 'EISDIR':
      throw new ToolError(`${shown} is a directory.`);
    case 'EEXIST':
      throw new ToolError(`Cannot create a directory for ${shown}: a file with that name exists.`);
    case 'EACCES':
    case 'EPERM':
      throw new ToolError(`Permission denied: ${shown}`);
    case 'EROFS':
      throw new ToolError(`${shown} is on a read-only file system.`);
    case 'ENAMETOOLONG':
      throw new ToolError(`Path is too long: ${shown}`);
    default:
      throw err;
  }
}
