/**
 * The word tables behind the slow-command heuristic (slow-command.ts): which programs and
 * subcommands are installs, builds, test runs or compiles, and which words merely wrap one.
 */

/** Shell words skipped at the start of a simple command. */
export const KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'do',
  'while',
  'until',
  '!',
  '{',
  '}',
  '[[',
  'exec',
]);
/** Wrappers without options of their own: the command follows at once. */
export const PASSTHROUGH = new Set(['command', 'builtin', 'nohup', 'xvfb-run', 'caffeinate']);
/** Wrappers: options that take a separate value, and how many positional words follow the options. */
export const WRAPPERS: Record<string, { valueOptions: string[]; positional: number }> = {
  sudo: { valueOptions: ['-u', '-g', '-C', '-D', '-p', '-U', '-r', '-t', '-T', '-h'], positional: 0 },
  doas: { valueOptions: ['-u', '-C'], positional: 0 },
  time: { valueOptions: ['-f', '-o'], positional: 0 },
  env: { valueOptions: ['-u', '-C', '-S'], positional: 0 },
  nice: { valueOptions: ['-n'], positional: 0 },
  ionice: { valueOptions: ['-c', '-n', '-p'], positional: 0 },
  timeout: { valueOptions: ['-s', '-k'], positional: 1 },
  stdbuf: { valueOptions: ['-i', '-o', '-e'], positional: 0 },
  chronic: { valueOptions: [], positional: 0 },
};
/** Package runners (`npx jest`): their options that take a value; the command follows them. */
export const RUNNERS: Record<string, string[]> = {
  npx: ['-p', '--package', '-c', '--call'],
  pnpx: ['-p', '--package'],
  bunx: ['-p', '--package'],
  uvx: ['--from', '--with', '--python'],
};
/** A command with one of these only prints its version or help: never slow. */
export const QUERY_FLAGS = new Set(['--version', '--help', '-V']);

/** Always slow, whatever their arguments. */
export const SLOW_PROGRAMS = new Set([
  ...['make', 'gmake', 'ninja', 'mvn', 'mvnw', 'gradle', 'gradlew', 'sbt', 'ant', 'ctest'],
  ...['pytest', 'py.test', 'tox', 'nox', 'jest', 'vitest', 'mocha', 'ava', 'karma', 'rspec', 'phpunit'],
  ...['tsc', 'gcc', 'g++', 'clang', 'clang++', 'cc', 'c++', 'rustc', 'javac', 'kotlinc', 'scalac', 'ghc'],
  ...['webpack', 'rollup', 'msbuild'],
]);

/** Slow when the first non-option argument is one of these subcommands. */
export const SLOW_SUBCOMMANDS: Record<string, string[]> = {
  npm: ['install', 'i', 'in', 'isntall', 'add', 'ci', 'test', 't', 'tst', 'rebuild'],
  pnpm: ['install', 'i', 'add', 'test', 't', 'rebuild'],
  yarn: ['install', 'add', 'test'],
  bun: ['install', 'i', 'add', 'test', 'build'],
  pip: ['install', 'download', 'wheel'],
  pip3: ['install', 'download', 'wheel'],
  uv: ['sync', 'build', 'add'],
  poetry: ['install', 'add', 'update', 'build'],
  pipenv: ['install', 'sync'],
  pdm: ['install', 'sync', 'add', 'build'],
  conda: ['install', 'create', 'update'],
  mamba: ['install', 'create', 'update'],
  cargo: ['build', 'b', 'test', 't', 'check', 'c', 'clippy', 'bench', 'install', 'doc', 'nextest'],
  go: ['build', 'test', 'install', 'vet'],
  dotnet: ['build', 'test', 'restore', 'publish', 'pack'],
  swift: ['build', 'test'],
  mix: ['test', 'compile', 'deps.get'],
  stack: ['build', 'test', 'install'],
  cabal: ['build', 'test', 'install'],
  deno: ['test', 'compile'],
  bazel: ['build', 'test'],
  bazelisk: ['build', 'test'],
  meson: ['compile', 'test'],
  gem: ['install'],
  bundle: ['install', 'update'],
  bundler: ['install', 'update'],
  composer: ['install', 'update', 'require'],
  'apt-get': ['install', 'update', 'upgrade'],
  apt: ['install', 'update', 'upgrade'],
  yum: ['install', 'update'],
  dnf: ['install', 'update'],
  apk: ['add', 'update'],
  brew: ['install', 'upgrade'],
  docker: ['build'],
  podman: ['build'],
  'docker-compose': ['build'],
  playwright: ['test'],
  cypress: ['run'],
  turbo: ['build', 'test'],
  nx: ['build', 'test', 'affected', 'run-many'],
};
/** Subcommands whose next word is a package.json script name (`npm run build`). */
export const SCRIPT_SUBCOMMANDS: Record<string, string[]> = {
  npm: ['run', 'run-script'],
  pnpm: ['run'],
  yarn: ['run'],
  bun: ['run'],
  turbo: ['run'],
  nx: ['run'],
  lerna: ['run'],
};
/** Subcommands that run the rest of the words as a command (`pnpm exec jest`). */
export const EXEC_SUBCOMMANDS: Record<string, string[]> = {
  npm: ['exec', 'x'],
  pnpm: ['exec', 'dlx'],
  yarn: ['exec', 'dlx'],
  bun: ['x'],
  uv: ['run'],
  poetry: ['run'],
  pipenv: ['run'],
  pdm: ['run'],
  bundle: ['exec'],
  bundler: ['exec'],
};
/** Package managers that run a script or a local binary for an unknown subcommand (`yarn build`). */
export const SCRIPT_FALLBACK = new Set(['pnpm', 'yarn', 'bun']);
/** package.json script names that build or test (`build`, `test:unit`, `e2e`). */
export const SLOW_SCRIPT =
  /^(build|test|tests|compile|bundle|package|dist|e2e|ci|typecheck|coverage|integration)([:_-].*)?$/;
/** Options of package managers and build tools that take a separate value. */
export const VALUE_OPTIONS = new Set([
  '--filter',
  '-F',
  '-C',
  '--dir',
  '--cwd',
  '--prefix',
  '-w',
  '--workspace',
  '-p',
]);
