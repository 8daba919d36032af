/**
 * A recommendation's evidence as a chart: the service's recorded usage (cpu in vCPU, memory in
 * MiB: the samples are percent of the configured size) over the window, against the configured
 * size and the proposed one. Server-rendered SVG with a text alternative giving the same numbers.
 */
import { html } from 'hono/html';
import type { StoredSample } from '../../store/metric-samples.ts';

export type MetricChartInput = { service: string; metric: 'cpu' | 'memory'; samples: StoredSample[]; current: number; proposed: number; days: number };

const unit = (metric: MetricChartInput['metric']) => (metric === 'cpu' ? 'vCPU' : 'MiB');
const show = (value: number, metric: MetricChartInput['metric']) => (metric === 'cpu' ? value.toFixed(2) : String(Math.round(value)));

/** At most `buckets` points, each the peak of its slice of time (peaks are what sizes are for). */
function peaks(samples: StoredSample[], buckets: number): Array<{ t: number; v: number }> {
  if (samples.length <= buckets) return samples.map((s) => ({ t: s.at.getTime(), v: s.value }));
  const first = samples[0]!.at.getTime();
  const span = samples.at(-1)!.at.getTime() - first || 1;
  const out: Array<{ t: number; v: number }> = [];
  for (const s of samples) {
    const i = Math.min(buckets - 1, Math.floor(((s.at.getTime() - first) / span) * buckets));
    const slot = out[i];
    if (!slot || s.value > slot.v) out[i] = { t: s.at.getTime(), v: s.value };
  }
  return out.filter(Boolean);
}

export function metricChart(input: MetricChartInput) {
  const { metric } = input;
  const usage = input.samples.map((s) => ({ at: s.at, value: (s.value / 100) * input.current }));
  const id = `chart-${input.service}-${metric}`.replace(/[^a-z0-9-]/gi, '-');
  if (usage.length < 2) return html`<p>${input.service} ${metric}: not enough recorded samples for a chart.</p>`;
  const points = peaks(usage, 240);
  const peak = Math.max(...points.map((p) => p.v));
  const top = Math.max(peak, input.current, input.proposed) * 1.1 || 1;
  const w = 600;
  const h = 140;
  const t0 = points[0]!.t;
  const span = points.at(-1)!.t - t0 || 1;
  const x = (t: number) => Math.round(10 + ((t - t0) / span) * (w - 20));
  const y = (v: number) => Math.round(h - 10 - (v / top) * (h - 20));
  const line = points.map((p) => `${x(p.t)},${y(p.v)}`).join(' ');
  const description = `${input.service} ${metric} over the last ${input.days} days: peak ${show(peak, metric)} ${unit(metric)}; configured ${show(input.current, metric)} ${unit(metric)}, proposed ${show(input.proposed, metric)} ${unit(metric)}.`;
  return html`<figure><svg role="img" aria-labelledby="${id}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><title id="${id}">${description}</title>
<line x1="10" x2="${w - 10}" y1="${y(input.current)}" y2="${y(input.current)}" stroke="#57606a" stroke-width="1"/>
<line x1="10" x2="${w - 10}" y1="${y(input.proposed)}" y2="${y(input.proposed)}" stroke="#116329" stroke-width="2" stroke-dasharray="6 4"/>
<polyline fill="none" stroke="#0550ae" stroke-width="1.5" points="${line}"/></svg>
<figcaption class="muted">${description} Blue: usage (peaks); grey: configured; dashed green: proposed.</figcaption></figure>`;
}
