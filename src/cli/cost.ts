/**
 * `slipway cost [dir] [--env NAME] [--format text|json] [--usage FILE] [--metrics FILE]`: the
 * monthly estimate of every app under `dir` for one environment, per resource and per component;
 * usage-based parts and unpriced resources are listed, never counted as zero without saying so.
 * `--metrics` takes a JSON metrics document (as `slipway recommend` does): each service's recorded
 * requests, log output and bytes sent out become its usage figures; `--usage` wins where both say.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatConfigError, loadApps, resolveEnvironment } from '../config/load.ts';
import { estimateCost, unassigned, type CostUsage } from '../cost/estimate-cost.ts';
import type { CostEstimate } from '../cost/types.ts';
import { parseMetricsJson } from '../recommend/sources/parse-metrics-json.ts';
import { mergeUsage, usageFromMetrics } from '../recommend/usage-from-metrics.ts';
import { money } from '../report/format.ts';
import type { CliIo } from './io.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const usage = 'Usage: slipway cost [dir] [--env NAME] [--format text|json] [--usage FILE] [--metrics FILE]\n';

type AppCost = { app: string; file: string; environment: string; estimate: CostEstimate };

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    'cost',
    args,
    {
      env: { type: 'string', default: 'production' },
      format: { type: 'string', default: 'text' },
      usage: { type: 'string' },
      metrics: { type: 'string' },
    },
    usage,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    io.stderr(`slipway cost: unexpected argument "${positionals[1]}"\n${usage}`);
    return 2;
  }
  if (values.format !== 'text' && values.format !== 'json') {
    io.stderr(`slipway cost: --format must be text or json, not "${values.format}"\n`);
    return 2;
  }
  const dirArg = positionals[0] ?? '.';
  let usageFigures: CostUsage | undefined;
  if (values.usage !== undefined) {
    try {
      usageFigures = JSON.parse(readFileSync(resolve(io.cwd, values.usage), 'utf8')) as CostUsage;
    } catch (error) {
      io.stderr(`slipway cost: cannot read --usage ${values.usage}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  if (values.metrics !== undefined) {
    try {
      const fromMetrics = usageFromMetrics(parseMetricsJson(readFileSync(resolve(io.cwd, values.metrics), 'utf8'), values.metrics));
      for (const note of fromMetrics.notes) io.stderr(`slipway cost: --metrics ${note}\n`);
      usageFigures = mergeUsage(fromMetrics.usage, usageFigures);
    } catch (error) {
      io.stderr(`slipway cost: cannot read --metrics ${values.metrics}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const loaded = await loadApps(resolve(io.cwd, dirArg)).catch((error: NodeJS.ErrnoException) => error);
  if (loaded instanceof Error) {
    io.stderr(`slipway cost: cannot read ${dirArg}: ${loaded.code ?? loaded.message}\n`);
    return 1;
  }
  if (loaded.errors.length > 0) {
    io.stderr(`${loaded.errors.map((e) => formatConfigError({ ...e, file: join(dirArg, e.file) })).join('\n')}\n`);
    return 1;
  }
  if (loaded.apps.length === 0) {
    io.stderr(`slipway cost: no paas.yaml under ${dirArg}\n`);
    return 1;
  }
  const { synthesize, componentOf } = await import('../synth/index.ts');
  const results: AppCost[] = [];
  for (const app of loaded.apps) {
    try {
      const resolved = resolveEnvironment(app.config, values.env!);
      const terraform = synthesize(resolved);
      results.push({ app: app.config.name, file: join(dirArg, app.file), environment: values.env!, estimate: estimateCost(terraform, { region: resolved.region, usage: usageFigures, componentOf }) });
    } catch (error) {
      io.stderr(`slipway cost: ${join(dirArg, app.file)}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  if (values.format === 'json') io.stdout(`${JSON.stringify({ apps: results }, null, 2)}\n`);
  else io.stdout(results.map(renderCostText).join('\n'));
  return 0;
}

export function renderCostText(result: AppCost): string {
  const e = result.estimate;
  const lines = [`${result.app} · ${result.environment} (${e.region}): ${money(e.monthly)}/month${e.usageBased.length > 0 ? ' + usage-based costs' : ''}`];
  const width = Math.max(12, ...Object.keys(e.byComponent).map((k) => k.length));
  lines.push('', '  By component:');
  for (const [name, monthly] of Object.entries(e.byComponent).sort(([a], [b]) => (a === unassigned ? 1 : b === unassigned ? -1 : a < b ? -1 : 1))) {
    lines.push(`    ${name.padEnd(width)} ${money(monthly).padStart(12)}`);
  }
  lines.push('', '  By resource:');
  for (const line of [...e.lines].sort((a, b) => b.monthly - a.monthly || (a.address < b.address ? -1 : 1))) {
    if (line.priced && !line.usageBased && line.monthly === 0) continue;
    const amount = line.priced ? `${money(line.monthly)}${line.usageBased ? ' + usage' : ''}` : 'not priced';
    lines.push(`    ${amount.padStart(18)}  ${line.address}${line.component ? ` (${line.component})` : ''}`);
    for (const c of line.components) {
      const value = c.monthly === null ? 'depends on usage' : `${round(c.quantity!)} ${c.unit} × $${c.unitPrice} = ${money(c.monthly)}`;
      lines.push(`        ${c.name}: ${value}`);
    }
    if (line.note) lines.push(`        (${line.note})`);
  }
  const free = e.lines.filter((l) => l.priced && !l.usageBased && l.monthly === 0).length;
  if (free > 0) lines.push(`    ${free} more resources cost nothing by themselves (roles, security groups, rules, task definitions…)`);
  if (e.usageBased.length > 0) lines.push('', `  Depends on usage (not included in the total): ${e.usageBased.join(', ')}`);
  if (e.unpriced.length > 0) lines.push('', `  Not priced (not included in the total): ${e.unpriced.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value >= 0.01 ? value.toFixed(2) : value.toPrecision(2);
}
