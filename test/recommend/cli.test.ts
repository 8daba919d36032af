import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { run } from '../../src/cli/recommend.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { isBusinessHour, minute, monday } from './synthetic.ts';

const paasYaml = `version: 1
name: shop
region: us-east-1
services:
  web:
    type: web
    image: nginx
    cpu: 2
    memory: 8Gi
    instances: 4
  worker:
    type: worker
    image: busybox
    cpu: 1
    memory: 2Gi
`;

function capture(cwd: string): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { cwd, env: {}, stdout: (t) => void (out += t), stderr: (t) => void (err += t), out: () => out, err: () => err };
}

describe('slipway recommend', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-recommend-'));
    await writeFile(join(dir, 'paas.yaml'), paasYaml);
    const cpu: [number, number][] = [];
    const memory: [number, number][] = [];
    for (let i = 0; i < 14 * 24 * 12; i++) {
      const t = monday + i * 5 * minute;
      cpu.push([t / 1000, (isBusinessHour(t) ? 30 : 8) + ((i * 7) % 5)]);
      memory.push([t / 1000, 20 + ((i * 3) % 4)]);
    }
    // The worker has only six hours of data: not enough for a recommendation.
    const short = cpu.slice(0, 72);
    await writeFile(join(dir, 'metrics.json'), JSON.stringify({ web: { cpu, memory }, worker: { cpu: short } }));
    await writeFile(join(dir, 'web-cpu.csv'), `timestamp,value\n${cpu.map(([t, v]) => `${t},${v}`).join('\n')}\n`);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('prints JSON recommendations with suggestions on the exact paas.yaml lines', async () => {
    const io = capture(dir);
    assert.equal(await run(['.', '--metrics', 'metrics.json', '--format', 'json'], io), 0, io.err());
    const { apps } = JSON.parse(io.out());
    assert.equal(apps.length, 1);
    const [web, worker] = apps[0].services;
    assert.equal(web.status, 'ok');
    assert.equal(web.cpu.recommended, 1); // P90 ≈ 34 % of 2 vCPU = 0.68 → × 1.15 ≈ 0.78 → 1 vCPU
    assert.equal(web.memory.recommended, 3072); // peak 23 % of 8 GiB = 1884 MiB → 2167 MiB → 3 GiB at 1 vCPU
    assert.equal(worker.status, 'not-enough-data');
    const byKind = Object.fromEntries(apps[0].summaries.filter((s: { service: string }) => s.service === 'web').map((s: { kind: string }) => [s.kind, s]));
    assert.deepEqual(byKind.cpu.suggestion, { file: 'paas.yaml', line: 8, replacement: '    cpu: 1' });
    assert.deepEqual(byKind.memory.suggestion, { file: 'paas.yaml', line: 9, replacement: '    memory: 3Gi' });
    assert.equal(byKind.instances.suggestion.line, 10);
    assert.match(byKind.instances.suggestion.replacement, /^ {4}instances: \{ min: \d+, max: \d+ \}\n {4}autoscaling: \{ cpu: \d+ \}$/);
    assert.ok(byKind.cpu.monthlySaving > 0);
    assert.ok(byKind.schedule, 'a weekday business-hours pattern yields a schedule');
    assert.match(byKind.schedule.detail, /0 8 \* \* 1-5/);
    assert.equal(apps[0].summaries.find((s: { service: string }) => s.service === 'worker').kind, 'data');
  });

  it('prints text, reading one series from a CSV', async () => {
    const io = capture(dir);
    assert.equal(await run(['--metrics', 'web-cpu.csv', '--service', 'web', '--metric', 'cpu'], io), 0, io.err());
    assert.match(io.out(), /shop \(paas\.yaml, production\)/);
    assert.match(io.out(), /web: cpu 2 → 1 vCPU \(saves \$\d+\.\d\d\/month\)/);
    assert.match(io.out(), /paas\.yaml:8: cpu: 1/);
  });

  it('answers usage errors with exit 2 and input errors with exit 1, one line each', async () => {
    const cases: [string[], number, RegExp][] = [
      [[], 2, /--metrics FILE\|URL is required/],
      [['--metrics', 'web-cpu.csv'], 2, /give --service and --metric/],
      [['--metrics', 'metrics.json', '--format', 'xml'], 2, /--format must be text or json/],
      [['--metrics', 'missing.json'], 1, /missing\.json: no such file/],
      [['--metrics', 'paas.yaml'], 1, /paas\.yaml: not valid JSON/],
    ];
    for (const [args, code, message] of cases) {
      const io = capture(dir);
      assert.equal(await run(args, io), code, args.join(' '));
      assert.match(io.err(), message);
      assert.doesNotMatch(io.err(), /\n\s+at /, 'no stack trace');
    }
  });

  it("with --env, suggests only the environment's override lines", async () => {
    // A folder of its own: beside the other paas.yaml it would be a second app named shop.
    const envDir = await mkdtemp(join(tmpdir(), 'slipway-recommend-env-'));
    after(() => rm(envDir, { recursive: true, force: true }));
    await mkdir(join(envDir, 'with-env'));
    await writeFile(join(envDir, 'with-env', 'paas.yaml'), `${paasYaml}environments:\n  staging:\n    services:\n      web:\n        cpu: 4\n`);
    const io = capture(envDir);
    assert.equal(await run(['with-env', '--metrics', join(dir, 'metrics.json'), '--env', 'staging', '--format', 'json'], io), 0, io.err());
    const summaries = JSON.parse(io.out()).apps[0].summaries.filter((s: { service: string }) => s.service === 'web');
    const cpu = summaries.find((s: { kind: string }) => s.kind === 'cpu');
    assert.match(cpu.title, /cpu 4 → 2 vCPU/); // staging's 4 vCPU at the same load
    assert.deepEqual(cpu.suggestion, { file: 'with-env/paas.yaml', line: 20, replacement: '        cpu: 2' });
    assert.equal(summaries.find((s: { kind: string }) => s.kind === 'memory').suggestion, undefined, 'memory is not overridden for staging');
  });

  it('runs as a process', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(import.meta.dirname, '../../bin/slipway.js'), 'recommend', dir, '--metrics', join(dir, 'metrics.json'), '--format', 'json']);
    assert.equal(JSON.parse(stdout).apps[0].services[0].cpu.recommended, 1);
  });
});
