/**
 * A service's recommendations as the PR report renders them: one `RecommendationSummary` per
 * change, with its evidence in a sentence and, when the `paas.yaml` source and a locator are
 * given, a one-click suggestion that rewrites the exact line(s).
 */
import type { ServiceRecommendation } from './recommend-service.ts';
import type { RecommendationSummary } from './types.ts';

export type Location = { line: number; column: number; endLine?: number; endColumn?: number };

export type SourceContext = {
  /** paas.yaml path as the PR sees it. */
  file: string;
  /** The loader's `locate(path)`: from the key's start to the value's end, 1-based. */
  locate: (path: (string | number)[]) => Location | undefined;
  /** The file's text; with it the replacement keeps whatever shares the line. */
  source?: string;
  /** When the recommendation is for a named environment, its override lines are the only ones suggested (a top-level line would change every environment). */
  environment?: string;
};

export function toSummary(rec: ServiceRecommendation, context?: SourceContext): RecommendationSummary[] {
  const { app, service } = rec;
  const base = { app, service };
  const flagged = implausibleSummary(rec);
  if (rec.status !== 'ok') {
    return [...flagged, { ...base, kind: 'data', title: `${service}: not enough data for a recommendation`, detail: `${rec.reason ?? 'no usable samples'}.${notes(rec)}`, monthlySaving: 0, confidence: 0 }];
  }
  const out: RecommendationSummary[] = [...flagged];
  const days = `${rec.historyDays.toFixed(1)} days`;
  const suggest = (field: string, text: string, extra = '') => (context ? suggestion(context, service, field, text, extra) : undefined);

  if (rec.cpu && rec.cpu.recommended !== rec.cpu.current) {
    const c = rec.cpu;
    out.push({
      ...base,
      kind: 'cpu',
      title: `${service}: cpu ${c.current} → ${c.recommended} vCPU`,
      detail: `Recency-weighted P90 usage ${fmt(c.basisValue)} vCPU (P50 ${fmt(c.percentiles.p50)}, P99 ${fmt(c.percentiles.p99)}, peak ${fmt(c.percentiles.max)}) over ${days}, ${c.samples} samples; +15 % margin → ${fmt(c.target)} vCPU, snapped to a Fargate size.`,
      monthlySaving: c.monthlySaving,
      confidence: rec.confidence,
      change: { field: 'cpu', to: c.recommended },
      ...opt('suggestion', suggest('cpu', `cpu: ${c.recommended}`)),
    });
  }
  if (rec.memory && rec.memory.recommended !== rec.memory.current) {
    const m = rec.memory;
    out.push({
      ...base,
      kind: 'memory',
      title: `${service}: memory ${size(m.current)} → ${size(m.recommended)}`,
      detail: `Peak usage ${Math.round(m.basisValue)} MiB (P50 ${Math.round(m.percentiles.p50)}, P99 ${Math.round(m.percentiles.p99)}) over ${days}, ${m.samples} samples; +15 % margin → ${Math.round(m.target)} MiB, snapped to a Fargate size.`,
      monthlySaving: m.monthlySaving,
      confidence: rec.confidence,
      change: { field: 'memory', to: m.recommended },
      ...opt('suggestion', suggest('memory', `memory: ${size(m.recommended)}`)),
    });
  }
  const i = rec.instances;
  if (i && (i.recommended.min !== i.current.min || i.recommended.max !== i.current.max || i.recommended.target !== i.current.target)) {
    const r = i.recommended;
    const hasAutoscaling = context?.locate(path(context, service, 'autoscaling')) !== undefined;
    const instancesText = r.min === r.max ? `instances: ${r.min}` : `instances: { min: ${r.min}, max: ${r.max} }`;
    out.push({
      ...base,
      kind: 'instances',
      title: `${service}: instances ${range(i.current)} → ${range(r)} at ${r.target} % cpu`,
      detail: `Target tracking (desired = ceil(running × utilisation / target)${i.basis === 'cpu+requests' ? ', or requests / requestsPerInstance when higher' : i.basis === 'cpu+backlog' ? ', or backlog / backlogPerInstance when higher' : ''}) replayed on ${days} of load, scaling out 5 minutes late and in after 15: ${r.target} % with min ${r.min} goes above 80 % utilisation in ${pctOf(i.replay.breachRate)} of intervals (allowed ${pctOf(i.replay.breachBudget)}), the cheapest such policy. Desired tasks P50 ${i.desired.p50}, P99 ${i.desired.p99}; load grows up to ×${i.burstP99} within the scaler's reaction (P99). Mean tasks ${i.currentTasks.toFixed(1)} → ${i.recommendedTasks.toFixed(1)}.${i.headroom ? ` Headroom: ${i.headroom.reason}.` : ''}${i.assumption ? ` Assumption: ${i.assumption}.` : ''}`,
      monthlySaving: i.monthlySaving,
      confidence: rec.confidence,
      change: { field: 'instances', to: { min: r.min, max: r.max } },
      ...opt('suggestion', suggest('instances', instancesText, r.min !== r.max && !hasAutoscaling ? `autoscaling: { cpu: ${r.target} }` : '')),
    });
    if (hasAutoscaling && i.current.target !== r.target && r.min !== r.max) {
      out.push({
        ...base,
        kind: 'autoscaling',
        title: `${service}: autoscaling cpu target ${i.current.target ?? 'unset'} → ${r.target} %`,
        detail: `Load grows up to ×${i.burstP99} within the scaler's reaction (P99); replayed on the history, tracking ${r.target} % lets utilisation go above 80 % in only ${pctOf(i.replay.breachRate)} of intervals while scale-outs happen.`,
        monthlySaving: 0,
        confidence: rec.confidence,
        change: { field: 'autoscaling.cpu', to: r.target },
        ...opt('suggestion', context?.locate(path(context, service, 'autoscaling', 'cpu')) ? suggest('autoscaling.cpu', `cpu: ${r.target}`) : undefined),
      });
    }
  }
  const b = rec.backlogPerInstance;
  if (b && (b.current === undefined || Math.abs(b.recommended - b.current) > 0.1 * b.current)) {
    const located = context?.locate(path(context, service, 'autoscaling', 'backlogPerInstance')) !== undefined;
    out.push({
      ...base,
      kind: 'autoscaling',
      title: `${service}: autoscaling backlogPerInstance ${b.current ?? 'unset'} → ${b.recommended}`,
      detail: `Over ${b.samples} busy intervals, the queue held a median ${b.recommended} messages per running task at the ${rec.instances?.recommended.target ?? 'recommended'} % cpu target; scaling on that backlog reacts to a growing queue before cpu does.${located ? '' : ` Add \`backlogPerInstance: ${b.recommended}\` under autoscaling.`}`,
      monthlySaving: 0,
      confidence: rec.confidence,
      change: { field: 'autoscaling.backlogPerInstance', to: b.recommended },
      ...opt('suggestion', located ? suggest('autoscaling.backlogPerInstance', `backlogPerInstance: ${b.recommended}`) : undefined),
    });
  }
  if (rec.schedule) {
    const s = rec.schedule;
    const yaml = `schedule: [${s.floors.map((f) => `{ cron: "${f.cron}", min: ${f.min} }`).join(', ')}]`;
    const existing = context?.locate(path(context, service, 'schedule')) !== undefined;
    out.push({
      ...base,
      kind: 'schedule',
      title: `${service}: schedule floors (${s.floors.length} entries)`,
      detail: `Load repeats every ${s.evaluation.periodHours} h; on the held-back last ${s.evaluation.points} hours the seasonal model's error is ${s.evaluation.modelMape.toFixed(1)} % MAPE vs ${s.evaluation.naiveMape.toFixed(1)} % for seasonal-naive. Proposed: \`${yaml}\`.`,
      monthlySaving: s.monthlySaving,
      confidence: rec.confidence,
      change: { field: 'schedule', to: s.floors },
      ...opt('suggestion', existing ? suggest('schedule', yaml) : undefined),
    });
  }
  if (rec.anomalies.length > 0) {
    const list = rec.anomalies.slice(0, 5).map((a) => `${a.metric} ${iso(a.from)}–${iso(a.to)} (z ${a.score}, ${a.direction})`).join('; ');
    out.push({
      ...base,
      kind: 'anomalies',
      title: `${service}: ${rec.anomalies.length} anomalous window(s) left out of sizing`,
      detail: `${list}${rec.anomalies.length > 5 ? `; and ${rec.anomalies.length - 5} more` : ''}.`,
      monthlySaving: 0,
      confidence: rec.confidence,
    });
  }
  return out;
}

/** Samples no service can produce, left out of everything: flagged so that whoever feeds the metrics fixes the source. */
function implausibleSummary(rec: ServiceRecommendation): RecommendationSummary[] {
  if (!rec.implausible || rec.implausible.length === 0) return [];
  const count = rec.implausible.reduce((sum, x) => sum + x.count, 0);
  const list = rec.implausible.map((x) => `${x.count} ${x.metric} (above ${x.bound.toLocaleString('en-US')}${x.metric === 'cpu' || x.metric === 'memory' ? ' %' : ''}, largest ${x.largest.toExponential(2)})`).join('; ');
  return [{ app: rec.app, service: rec.service, kind: 'data', title: `${rec.service}: ${count} implausible metric sample(s) left out`, detail: `${list}: no service can produce these values, so they are treated as a measurement or ingestion fault and left out of every recommendation.`, monthlySaving: 0, confidence: 1 }];
}

function path(context: SourceContext, service: string, ...rest: string[]): (string | number)[] {
  const env = context.environment ? ['environments', context.environment, 'services', service, ...rest] : undefined;
  if (env && context.locate(env)) return env;
  return ['services', service, ...rest];
}

/** Replace the located span with `text`, keeping what shares its first and last line. */
function suggestion(context: SourceContext, service: string, field: string, text: string, extraLine: string) {
  const at = path(context, service, ...field.split('.'));
  // A top-level line applies to every environment: only suggest it for production's figures.
  if (context.environment && context.environment !== 'production' && at[0] !== 'environments') return undefined;
  const where = context.locate(at);
  if (!where) return undefined;
  const endLine = where.endLine ?? where.line;
  const lines = context.source?.split(/\r?\n/);
  let replacement: string;
  const indent = ' '.repeat(Math.max(0, where.column - 1));
  if (lines && lines[where.line - 1] !== undefined && lines[endLine - 1] !== undefined) {
    const prefix = lines[where.line - 1].slice(0, where.column - 1);
    const suffix = where.endColumn !== undefined ? lines[endLine - 1].slice(where.endColumn) : '';
    replacement = prefix + text + suffix;
    if (extraLine && prefix.trim() === '') replacement += `\n${prefix}${extraLine}`;
  } else {
    if (endLine !== where.line) return undefined; // a multi-line value cannot be rewritten blind
    replacement = indent + text + (extraLine ? `\n${indent}${extraLine}` : '');
  }
  return { file: context.file, line: where.line, ...(endLine !== where.line ? { endLine } : {}), replacement };
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function notes(rec: ServiceRecommendation): string {
  return rec.notes.length > 0 ? ` Data: ${rec.notes.join('; ')}.` : '';
}

function pctOf(x: number): string {
  return `${Math.round(x * 1000) / 10} %`;
}

function range(r: { min: number; max: number }): string {
  return r.min === r.max ? `${r.min}` : `${r.min}–${r.max}`;
}

function size(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}

function fmt(x: number): string {
  return x >= 10 ? x.toFixed(1) : x.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
}

function iso(t: number): string {
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}
