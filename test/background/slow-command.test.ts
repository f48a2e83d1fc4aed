import { describe, expect, it } from 'vitest';
import { isSlowCommand, matchSlowCommand, splitSimpleCommands } from '../../src/background/slow-command.js';

describe('matchSlowCommand', () => {
  it.each([
    ['npm install', 'npm install'],
    ['npm ci', 'npm ci'],
    ['npm i lodash', 'npm i'],
    ['npm test', 'npm test'],
    ['npm --prefix app ci', 'npm ci'],
    ['npm run build', 'npm run build'],
    ['npm run --silent test:unit', 'npm run test:unit'],
    ['pnpm install --frozen-lockfile', 'pnpm install'],
    ['pnpm --filter web test', 'pnpm test'],
    ['pnpm -r build', 'pnpm build'],
    ['pnpm exec vitest run', 'vitest'],
    ['yarn', 'yarn'],
    ['yarn --cwd app build', 'yarn build'],
    ['yarn jest --ci', 'jest'],
    ['yarn workspace web test', 'yarn test'],
    ['pip install -r requirements.txt', 'pip install'],
    ['python -m pytest -q', 'pytest'],
    ['python3 -m pip install .', 'pip install'],
    ['python setup.py build', 'setup.py build'],
    ['uv run pytest', 'pytest'],
    ['cargo build --release', 'cargo build'],
    ['cargo test', 'cargo test'],
    ['go test ./...', 'go test'],
    ['go build -o bin/app .', 'go build'],
    ['go mod download', 'go mod download'],
    ['make -j4', 'make'],
    ['/usr/bin/make all', 'make'],
    ['pytest tests/test_api.py', 'pytest'],
    ['npx jest --ci', 'jest'],
    ['npx --yes vitest run', 'vitest'],
    ['npx -p typescript tsc --noEmit', 'tsc'],
    ['node_modules/.bin/vitest run', 'vitest'],
    ['mvn -q package', 'mvn'],
    ['./gradlew build', 'gradlew'],
    ['docker build -t app .', 'docker build'],
    ['docker buildx build .', 'docker buildx build'],
    ['cmake --build build', 'cmake --build'],
    ['tsc -p .', 'tsc'],
    ['gcc -O2 -o a a.c', 'gcc'],
    ['bundle exec rspec', 'rspec'],
    ['sudo -E apt-get install -y jq', 'apt-get install'],
    ['sudo -u ci npm ci', 'npm ci'],
    ['time make', 'make'],
    ['time -p cargo test', 'cargo test'],
    ['timeout 600 cargo test', 'cargo test'],
    ['timeout -s KILL 10m pytest', 'pytest'],
    ['env NODE_ENV=test npx --yes jest', 'jest'],
    ['FOO=1 CI=true npm test', 'npm test'],
    ['nice -n 10 make', 'make'],
    ['cd app && npm ci', 'npm ci'],
    ['cd app; npm ci', 'npm ci'],
    ['(cd a && make)', 'make'],
    ['echo start; npm test 2>&1 | tee out.log', 'npm test'],
    ['npm test > out.log 2>&1', 'npm test'],
    ['npm test &> out.log', 'npm test'],
    ['ls || npm install', 'npm install'],
    ['bash -c "npm test"', 'npm test'],
    ["sh -ec 'cd x && make'", 'make'],
    ['if make; then echo ok; fi', 'make'],
    ['for d in a b; do pytest $d; done', 'pytest'],
    ['ls\ncargo build', 'cargo build'],
    ['npm \\\n  install', 'npm install'],
    ['x=$(npm test)', 'npm test'],
    ['cat <<EOF > f\nhello\nEOF\nmake', 'make'],
    ['echo "<<EOF"\nmake', 'make'],
  ])('%j is slow (%s)', (command, match) => {
    expect(matchSlowCommand(command)).toBe(match);
  });

  it.each([
    'cat test.txt',
    'ls build/',
    'mkdir -p build/test',
    'rm -rf build',
    'cd test && ls',
    'grep -r test src',
    'git log --grep=test',
    'git commit -m "make build"',
    'echo "npm install"',
    "echo 'cargo test' > notes.txt",
    'echo npm install',
    'sed -n 1,20p Makefile',
    'cat Makefile | grep make',
    'node test.js',
    'python script.py',
    'python -c "print(1)"',
    'go run main.go',
    'npm --version',
    'cargo --version',
    'make --help',
    'npm run lint',
    'yarn lint',
    'npx prettier --write .',
    'docker ps',
    'docker compose up -d',
    '# npm install',
    'ls # make',
    'echo a && echo b',
    'cat <<EOF\nnpm install\nEOF',
    "cat <<-'END'\n\tmake\n\tEND",
    '',
    '   ',
    'FOO=bar',
  ])('%j is not slow', (command) => {
    expect(matchSlowCommand(command)).toBeUndefined();
  });

  it('isSlowCommand is matchSlowCommand as a boolean', () => {
    expect(isSlowCommand('npm ci')).toBe(true);
    expect(isSlowCommand('cat test.txt')).toBe(false);
  });
});

describe('splitSimpleCommands', () => {
  it('splits on separators outside quotes and keeps quoted words whole', () => {
    expect(splitSimpleCommands(`a 'b; c' && d "e | f" | g\nh & i (j) \`k\``)).toEqual([
      ['a', 'b; c'],
      ['d', 'e | f'],
      ['g'],
      ['h'],
      ['i'],
      ['j'],
      ['k'],
    ]);
  });

  it('keeps redirections with & as one word', () => {
    expect(splitSimpleCommands('a 2>&1 &>log b')).toEqual([['a', '2>&1', '&>log', 'b']]);
  });

  it('skips heredoc bodies and comments', () => {
    expect(splitSimpleCommands('cat <<EOF\nx; y\nEOF\nz # w; v')).toEqual([['cat', '<<EOF'], ['z']]);
  });
});
