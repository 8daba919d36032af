import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConfigError } from '../../src/config/load.ts';
import { formatConfigError, loadApps, parseConfigText } from '../../src/config/load.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { run } from '../../src/cli/validate.ts';

const root = join(import.meta.dirname, '..', '..');
const invalid = join(root, 'fixtures', 'apps', 'invalid');

type Expected = Pick<ConfigError, 'line' | 'column' | 'path' | 'message'> & { hint?: string | RegExp };

/** The one error each hostile fixture must produce, exactly where the user has to look. */
const cases: Record<string, Expected> = {
  'unknown-key': { line: 8, column: 5, path: 'services.web.memmory', message: 'unknown field `memmory`', hint: 'did you mean `memory`?' },
  'wrong-type': { line: 7, column: 11, path: 'services.web.port', message: 'expected a number, got the text "eighty"', hint: 'write a number, such as port: 8080' },
  'bad-reference': {
    line: 8, column: 29, path: 'services.web.env.DATABASE_URL.from',
    message: '`dbb.url` names `dbb`, which is not a resource or web service of this app', hint: 'did you mean `db`?',
  },
  'impossible-cpu-memory': {
    line: 8, column: 13, path: 'services.web.memory',
    message: 'cpu 4 with memory 1Gi is not a valid Fargate size', hint: /^with cpu 4, memory must be 8Gi to 30Gi in steps of 1Gi/,
  },
  'yaml-syntax-error': { line: 6, column: 14, path: 'services.web.command', message: '`[` is never closed', hint: /add `\]`/ },
  'alias-bomb': { line: 5, column: 10, path: 'tags.b[0]', message: 'aliases expand too many times (the limit is 100 expansions)', hint: /billion laughs/ },
  'custom-tag': { line: 6, column: 12, path: 'services.web.image', message: 'custom tag `!env` is not allowed', hint: 'paas.yaml is plain YAML: remove the tag' },
  'duplicate-keys': { line: 8, column: 5, path: 'services.web.cpu', message: 'duplicate key `cpu`: each key may appear once in a mapping', hint: 'the first `cpu` is on line 7: keep one' },
};

let bigDir: string;
before(async () => {
  // The 10 MB case is generated, not committed (see fixtures/apps/invalid/too-large/README.md).
  bigDir = await mkdtemp(join(tmpdir(), 'slipway-too-large-'));
  const line = `  key: "${'x'.repeat(100)}"\n`;
  const body = `version: 1\nname: big\ntags:\n${line.repeat(Math.ceil((10 * 1024 * 1024) / line.length))}`;
  await writeFile(join(bigDir, 'paas.yaml'), body);
});
after(async () => {
  await rm(bigDir, { recursive: true, force: true });
});

function assertError(actual: ConfigError, expected: Expected): void {
  assert.equal(actual.path, expected.path);
  assert.equal(actual.message, expected.message);
  assert.deepEqual([actual.line, actual.column], [expected.line, expected.column], formatConfigError(actual));
  if (expected.hint instanceof RegExp) assert.match(actual.hint ?? '', expected.hint);
  else assert.equal(actual.hint, expected.hint);
}

describe('every invalid fixture gets one located, actionable error', () => {
  for (const [name, expected] of Object.entries(cases)) {
    it(`${name}: ${expected.message}`, async () => {
      const file = `fixtures/apps/invalid/${name}/paas.yaml`;
      const result = parseConfigText(await readFile(join(root, file), 'utf8'), file);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.errors.length, 1, result.errors.map(formatConfigError).join('\n'));
      assert.equal(result.errors[0].file, file);
      assertError(result.errors[0], expected);
    });
  }

  it('too-large: a 10 MB file is refused before parsing, at line 1', async () => {
    const result = await loadApps(bigDir);
    assert.deepEqual(result.apps, []);
    assert.equal(result.errors.length, 1);
    const [error] = result.errors;
    assert.deepEqual([error.file, error.line, error.column, error.path], ['paas.yaml', 1, 1, '']);
    assert.match(error.message, /^file is too large \(10\.\d MiB\); the limit is 256 KiB, checked before parsing$/);
  });

  it('too-large: the same text handed over in memory is refused without parsing', async () => {
    const text = await readFile(join(bigDir, 'paas.yaml'), 'utf8');
    const started = performance.now();
    const result = parseConfigText(text, 'paas.yaml');
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.errors[0].message, /^file is too large/);
    assert.ok(performance.now() - started < 1000, 'refusing must not parse 10 MB');
  });
});

/** Runs the real command; the timeout is a hang guard, not a performance assertion. */
function slipway(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'slipway.js'), ...args], { cwd: root, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const stackTrace = /\n\s+at .+[:(]\d+:\d+\)?/;

describe('slipway validate on the invalid fixtures', () => {
  for (const [name, expected] of Object.entries(cases)) {
    it(`${name}: exits 1 with exactly the located error line`, async () => {
      let stdout = '';
      let stderr = '';
      const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: root, env: {} };
      const code = await run([`fixtures/apps/invalid/${name}`], io);
      assert.equal(code, 1);
      assert.equal(stdout, '');
      const hint = typeof expected.hint === 'string' ? ` (${expected.hint})` : '';
      const line = `fixtures/apps/invalid/${name}/paas.yaml:${expected.line}:${expected.column}: ${expected.path}: ${expected.message}${hint}`;
      if (expected.hint instanceof RegExp) assert.ok(stderr.startsWith(`${line} (`), stderr);
      else assert.equal(stderr, `${line}\n`);
    });
  }

  it('as a process over all of them (and the 10 MB file): finishes, exits 1, one line per error, no stack trace', async () => {
    const [all, big] = await Promise.all([slipway(['validate', 'fixtures/apps/invalid']), slipway(['validate', bigDir])]);
    for (const result of [all, big]) {
      assert.equal(result.signal, null, 'killed by the hang guard');
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stdout, '');
      assert.doesNotMatch(result.stderr, stackTrace);
    }
    const lines = all.stderr.trimEnd().split('\n');
    assert.equal(lines.length, Object.keys(cases).length, all.stderr);
    for (const [name, expected] of Object.entries(cases)) {
      const prefix = `fixtures/apps/invalid/${name}/paas.yaml:${expected.line}:${expected.column}: ${expected.path}: ${expected.message}`;
      assert.ok(lines.some((line) => line.startsWith(prefix)), `missing ${prefix}`);
    }
    assert.match(big.stderr, /slipway-too-large-\w+\/paas\.yaml:1:1: file is too large \(10\.\d MiB\); the limit is 256 KiB, checked before parsing/);
    assert.equal(big.stderr.trimEnd().split('\n').length, 1);
  });
});
