/**
 * Plan, cost and report figures (issue 3). Prints medians after warm-up; no asserts.
 *   node --import tsx bench/plan.bench.ts
 * 1. plan + cost + report for microservices-demo against a modified copy (synthesis done once,
 *    outside the timing; also shown with synthesis included) — target ≤ 5 ms
 * 2. rendering a 1,000-resource plan within GitHub's comment limit — target ≤ 50 ms
 * 3. whole process `slipway plan fixtures/apps/microservices-demo` — target ≤ 1 s wall
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { loadAppsFromFiles, resolveEnvironment } from '../src/config/load.ts';
import { diffCost } from '../src/cost/diff-cost.ts';
import { estimateCost } from '../src/cost/estimate-cost.ts';
import { diffTerraform } from '../src/plan/diff-terraform.ts';
import type { TerraformJson } from '../src/plan/terraform-json.ts';
import { renderComment } from '../src/report/render-comment.ts';
import { componentOf, synthesize } from '../src/synth/index.ts';

const root = new URL('..', import.meta.url).pathname;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function time(fn: () => unknown, runs: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

// 1. microservices-demo vs a modified copy: a bigger database, more web instances, a new queue.
const text = readFileSync(`${root}fixtures/apps/microservices-demo/paas.yaml`, 'utf8');
const modified = text
  .replace('size: small, storage: 20Gi', 'size: medium, storage: 50Gi')
  .replace('instances: { min: 2, max: 10 }', 'instances: { min: 3, max: 10 }')
  .replace('  tasks: { type: queue, deadLetterAfter: 5 }', '  tasks: { type: queue, deadLetterAfter: 5 }\n  events: { type: queue }');
const head = loadAppsFromFiles({ 'paas.yaml': modified });
const base = loadAppsFromFiles({ 'paas.yaml': text });
if (head.errors.length || base.errors.length) throw new Error(JSON.stringify([...head.errors, ...base.errors]));
const headConfig = resolveEnvironment(head.apps[0].config, 'production');
const baseConfig = resolveEnvironment(base.apps[0].config, 'production');
const after = synthesize(headConfig) as TerraformJson;
const before = synthesize(baseConfig) as TerraformJson;

const pipeline = (b: TerraformJson, a: TerraformJson) => {
  const plan = diffTerraform(b, a, { componentOf });
  const cost = diffCost(estimateCost(b, { region: 'us-east-1', componentOf }), estimateCost(a, { region: 'us-east-1', componentOf }));
  return renderComment({ apps: [{ name: 'shop', environment: 'production', plan, cost }], headSha: 'bench' });
};
const sample = pipeline(before, after);
const pipelineMs = time(() => pipeline(before, after), 200, 50);
const withSynthMs = time(() => pipeline(synthesize(baseConfig) as TerraformJson, synthesize(headConfig) as TerraformJson), 30, 5);
const summary = /\*\*(.+)\*\*/.exec(sample)?.[1];

// 2. A 1,000-resource plan (each with a JSON policy and long tags), rendered within the limit.
const big: TerraformJson = { resource: { aws_sqs_queue: {} } };
for (let i = 0; i < 1000; i++) {
  big.resource!.aws_sqs_queue[`queue_${i}`] = {
    name: `queue-${i}`,
    policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Resource: `arn:aws:sqs:us-east-1:123456789012:queue-${i}`, Action: ['sqs:SendMessage'] }] }),
    tags: { 'slipway:component': `c${i % 20}`, description: 'x'.repeat(200) },
  };
}
const bigPlan = diffTerraform(null, big);
const bigCost = diffCost(null, estimateCost(big, { region: 'us-east-1' }));
const bigInput = { apps: [{ name: 'big', environment: 'production', plan: bigPlan, cost: bigCost }], headSha: 'bench' };
const bigComment = renderComment(bigInput);
const bigMs = time(() => renderComment(bigInput), 30, 5);

// 3. Whole process, as a user runs it; interleaved with `slipway synth` and `slipway --help` on the
// same input, so the share of start-up and synthesis (not ours) is visible on a busy machine.
const wall = (args: string[]): number => {
  const start = performance.now();
  const child = spawnSync(process.execPath, ['bin/slipway.js', ...args], { cwd: root, encoding: 'utf8' });
  if (child.status !== 0 && args[0] !== '--help') throw new Error(child.stderr);
  return performance.now() - start;
};
const walls: number[] = [];
const synthWalls: number[] = [];
const helpWalls: number[] = [];
for (let i = 0; i < 5; i++) {
  walls.push(wall(['plan', 'fixtures/apps/microservices-demo']));
  synthWalls.push(wall(['synth', 'fixtures/apps/microservices-demo']));
  helpWalls.push(wall(['--help']));
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
console.log(`plan+cost+report, microservices-demo vs modified copy (${summary}):`);
console.log(`  median ${fmt(pipelineMs)} (target ≤ 5 ms); with both syntheses: ${fmt(withSynthMs)}`);
console.log(`1,000-resource plan render: median ${fmt(bigMs)} (target ≤ 50 ms), ${bigComment.length} chars (limit 65,536)`);
console.log(`whole process \`slipway plan fixtures/apps/microservices-demo\`: median ${fmt(median(walls))} wall (target ≤ 1 s); runs: ${walls.map((w) => w.toFixed(0)).join(', ')} ms`);
console.log(`  for comparison: \`slipway synth\` same dir ${fmt(median(synthWalls))}, \`slipway --help\` ${fmt(median(helpWalls))}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
