import {
  EXEC_SUBCOMMANDS,
  KEYWORDS,
  PASSTHROUGH,
  QUERY_FLAGS,
  RUNNERS,
  SCRIPT_FALLBACK,
  SCRIPT_SUBCOMMANDS,
  SLOW_PROGRAMS,
  SLOW_SCRIPT,
  SLOW_SUBCOMMANDS,
  VALUE_OPTIONS,
  WRAPPERS,
} from './slow-command-rules.js';

/**
 * The slow-command heuristic: decides whether a shell command the model did not mark with
 * `run_in_background` is an install, build, test run or compile, and so should run as a
 * background job. It matches command words, never substrings: `cat test.txt` is not slow,
 * `cd app && FOO=1 npx jest` is.
 *
 * The command is split into simple commands on `;` `&` `&&` `||` `|` `(` `)` backquotes and
 * newlines, outside quotes. In each, env assignments, redirections, shell keywords and
 * wrappers (`sudo`, `time`, `env`, `timeout`, `nice`, `npx`, `bash -c`, …) are skipped, then
 * the program and its subcommand are matched. Heredoc bodies and comments are ignored.
 * A false answer only means the command runs in the foreground; it is never an error.
 */

/** The matched words (e.g. `npm install`), or undefined when no part of `command` looks slow. */
export function matchSlowCommand(command: string): string | undefined {
  return matchScript(command, 0);
}

export function isSlowCommand(command: string): boolean {
  return matchSlowCommand(command) !== undefined;
}

const MAX_DEPTH = 4;

function matchScript(script: string, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  for (const words of splitSimpleCommands(script)) {
    const hit = matchWords(words.filter(notRedirection()), depth);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** Lexes `script` into simple commands, each a list of unquoted words. */
export function splitSimpleCommands(script: string): string[][] {
  const commands: string[][] = [];
  const heredocs: string[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  /** The word began with a quote: it cannot be a heredoc operator. */
  let quotedStart = false;
  let heredocNext = false;
  const endWord = (): void => {
    if (!inWord) return;
    if (heredocNext) {
      heredocs.push(word);
      heredocNext = false;
    }
    const op = quotedStart ? null : /^\d*<<-?(.*)$/.exec(word);
    if (op && !word.includes('<<<')) {
      if (op[1]) heredocs.push(op[1]);
      else heredocNext = true;
    }
    words.push(word);
    word = '';
    inWord = false;
    quotedStart = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const c = script.charAt(i);
    if (c === '\\') {
      if (script.charAt(i + 1) !== '\n') {
        word += script.charAt(i + 1);
        inWord = true;
      }
      i++;
    } else if (c === "'") {
      quotedStart ||= !inWord;
      const end = script.indexOf("'", i + 1);
      const stop = end < 0 ? script.length : end;
      word += script.slice(i + 1, stop);
      inWord = true;
      i = stop;
    } else if (c === '"') {
      quotedStart ||= !inWord;
      let j = i + 1;
      for (; j < script.length && script.charAt(j) !== '"'; j++) {
        if (script.charAt(j) === '\\' && '"\\$`'.includes(script.charAt(j + 1))) j++;
        word += script.charAt(j);
      }
      inWord = true;
      i = j;
    } else if (c === '#' && !inWord) {
      const nl = script.indexOf('\n', i);
      i = (nl < 0 ? script.length : nl) - 1;
    } else if (c === ' ' || c === '\t') {
      endWord();
    } else if (c === '\n') {
      endCommand();
      i = skipHeredocBodies(script, i + 1, heredocs.splice(0)) - 1;
    } else if (c === ';' || c === '|' || c === '(' || c === ')' || c === '`') {
      endCommand();
    } else if (c === '&' && (/[<>]$/.test(word) || script.charAt(i + 1) === '>')) {
      word += c; // part of a redirection: 2>&1, &>file
      inWord = true;
    } else if (c === '&') {
      endCommand();
    } else {
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}

/** Returns the index just past the bodies of `delimiters`' heredocs, which start at `from`. */
function skipHeredocBodies(script: string, from: number, delimiters: string[]): number {
  let at = from;
  for (const delimiter of delimiters) {
    while (at < script.length) {
      const nl = script.indexOf('\n', at);
      const line = script.slice(at, nl < 0 ? script.length : nl);
      at = nl < 0 ? script.length : nl + 1;
      if (line.replace(/^\t+/, '') === delimiter) break;
    }
  }
  return at;
}

/** A filter that drops redirections and, for a bare operator (`>`, `2>`), its target. */
function notRedirection(): (word: string) => boolean {
  let skipNext = false;
  return (word) => {
    if (skipNext) {
      skipNext = false;
      return false;
    }
    const m = /^(?:\d*|&)(?:>>?|>\||<<<|<<-?|<>?|>&|<&)(.*)$/.exec(word);
    if (!m) return true;
    skipNext = m[1] === '';
    return false;
  };
}

function matchWords(input: string[], depth: number): string | undefined {
  let words = input;
  for (;;) {
    const first = words[0];
    if (first === undefined) return undefined;
    const name = basename(first);
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(first) || KEYWORDS.has(first) || PASSTHROUGH.has(name)) {
      words = words.slice(1);
    } else if (WRAPPERS[name]) {
      const { valueOptions, positional } = WRAPPERS[name];
      words = skipOptions(words.slice(1), new Set(valueOptions)).slice(positional);
    } else {
      break;
    }
  }
  const [program = '', ...args] = words;
  const name = basename(program);
  if (args.some((a) => QUERY_FLAGS.has(a))) return undefined;
  if (RUNNERS[name]) return matchRunner(name, args, depth);
  if (name === 'bash' || name === 'sh' || name === 'zsh' || name === 'dash') {
    const flag = args.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a));
    const script = flag >= 0 ? args[flag + 1] : undefined;
    return script === undefined ? undefined : matchScript(script, depth + 1);
  }
  if (/^python[0-9.]*$/.test(name) || name === 'py') return matchPython(args, depth);
  if (name === 'cmake') return args.includes('--build') ? 'cmake --build' : undefined;
  if (SLOW_PROGRAMS.has(name)) return name;

  const rest = skipOptions(args, VALUE_OPTIONS);
  const sub = rest[0];
  if (sub === undefined) return name === 'yarn' ? 'yarn' : undefined;
  if (name === 'docker' || name === 'podman') {
    if ((sub === 'buildx' || sub === 'compose') && rest[1] === 'build') return `${name} ${sub} build`;
  }
  if (name === 'go' && sub === 'mod' && (rest[1] === 'download' || rest[1] === 'tidy')) {
    return `go mod ${rest[1]}`;
  }
  if (name === 'yarn' && sub === 'workspace') return matchWords(['yarn', ...rest.slice(2)], depth + 1);
  if (SLOW_SUBCOMMANDS[name]?.includes(sub)) return `${name} ${sub}`;
  if (SCRIPT_SUBCOMMANDS[name]?.includes(sub)) {
    const script = skipOptions(rest.slice(1), VALUE_OPTIONS)[0];
    return script !== undefined && SLOW_SCRIPT.test(script) ? `${name} ${sub} ${script}` : undefined;
  }
  if (EXEC_SUBCOMMANDS[name]?.includes(sub)) return matchWords(rest.slice(1), depth + 1);
  if (SCRIPT_FALLBACK.has(name) && !sub.startsWith('-')) {
    return SLOW_SCRIPT.test(sub) ? `${name} ${sub}` : matchWords(rest, depth + 1);
  }
  return undefined;
}

function matchRunner(name: string, args: string[], depth: number): string | undefined {
  if (name === 'npx') {
    const call = args.findIndex((a) => a === '-c' || a === '--call');
    const script = call >= 0 ? args[call + 1] : undefined;
    if (script !== undefined) return matchScript(script, depth + 1);
  }
  return depth >= MAX_DEPTH ? undefined : matchWords(skipOptions(args, new Set(RUNNERS[name])), depth + 1);
}

/** `python -m pytest`, `python -m pip install`, `python setup.py build`. */
function matchPython(args: string[], depth: number): string | undefined {
  const module = args.indexOf('-m');
  if (module >= 0) return matchWords(args.slice(module + 1), depth + 1);
  const script = args.find((a) => !a.startsWith('-'));
  if (script !== undefined && basename(script) === 'setup.py') {
    const sub = args[args.indexOf(script) + 1];
    if (sub && ['build', 'install', 'test', 'develop', 'bdist_wheel', 'sdist'].includes(sub)) {
      return `setup.py ${sub}`;
    }
  }
  return undefined;
}

/** Drops leading options (and the values of `valueOptions` given as separate words) and a `--`. */
function skipOptions(words: string[], valueOptions: ReadonlySet<string>): string[] {
  let i = 0;
  while (i < words.length) {
    const w = words[i] ?? '';
    if (w === '--') return words.slice(i + 1);
    if (!w.startsWith('-') || w === '-') break;
    i += valueOptions.has(w) ? 2 : 1;
  }
  return words.slice(i);
}

function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}
