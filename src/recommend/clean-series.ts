/**
 * Turns raw samples into a series the statistics can trust: finite, non-negative, sorted, one
 * sample per timestamp. Every repair is noted so the report can say what was done; a series that
 * is too short after cleaning is "not enough data", never a recommendation.
 */
import type { Sample } from './types.ts';

export type Gap = { from: number; to: number };

export type CleanSeries = {
  samples: Sample[];
  /** Median spacing between samples (ms); 0 when fewer than two samples. */
  stepMs: number;
  /** Spans longer than three steps with no sample. */
  gaps: Gap[];
  notes: string[];
  /** Time from the first to the last sample (ms). */
  spanMs: number;
  /** Share of the expected samples (span / step) actually present, 0..1. */
  coverage: number;
  /** Samples above `maxPlausible`, dropped: how many and the largest. */
  implausible?: { count: number; largest: number };
};

export type CleanOptions = {
  /** Utilisation and rates cannot be negative; drop such samples (default true). */
  nonNegative?: boolean;
  /** Values above this no service can produce (plausible.ts); drop them (default: no bound). */
  maxPlausible?: number;
};

export function cleanSeries(raw: readonly Sample[], options: CleanOptions = {}): CleanSeries {
  const nonNegative = options.nonNegative ?? true;
  const maxPlausible = options.maxPlausible ?? Infinity;
  // Most series arrive clean: check without copying, and share the input when nothing needs repair.
  if (isClean(raw, nonNegative, maxPlausible)) return describe(raw as Sample[], []);
  const notes: string[] = [];
  let nonFinite = 0;
  let negative = 0;
  let implausible = 0;
  let largest = -Infinity;
  const kept: Sample[] = [];
  for (const s of raw) {
    if (!Number.isFinite(s.t) || !Number.isFinite(s.v)) nonFinite++;
    else if (nonNegative && s.v < 0) negative++;
    else if (s.v > maxPlausible) { implausible++; largest = Math.max(largest, s.v); }
    else kept.push(s); // samples are never mutated, so they are shared, not copied
  }
  if (nonFinite > 0) notes.push(`dropped ${nonFinite} sample(s) with a missing or non-finite time or value`);
  if (negative > 0) notes.push(`dropped ${negative} sample(s) with a negative value`);

  let sorted = true;
  for (let i = 1; i < kept.length; i++) if (kept[i].t < kept[i - 1].t) { sorted = false; break; }
  if (!sorted) {
    kept.sort((a, b) => a.t - b.t); // stable: equal timestamps keep their input order
    notes.push('samples were out of order; sorted by time');
  }

  // Keep the last sample given for a timestamp: a later write is a correction of an earlier one.
  const samples: Sample[] = [];
  let duplicates = 0;
  for (const s of kept) {
    const last = samples[samples.length - 1];
    if (last && last.t === s.t) { samples[samples.length - 1] = s; duplicates++; }
    else samples.push(s);
  }
  if (duplicates > 0) notes.push(`${duplicates} duplicate timestamp(s); kept the last value of each`);
  const described = describe(samples, notes);
  return implausible > 0 ? { ...described, implausible: { count: implausible, largest } } : described;
}

function isClean(raw: readonly Sample[], nonNegative: boolean, maxPlausible: number): boolean {
  let previous = -Infinity;
  for (const s of raw) {
    if (!Number.isFinite(s.t) || !Number.isFinite(s.v) || (nonNegative && s.v < 0) || s.v > maxPlausible || s.t <= previous) return false;
    previous = s.t;
  }
  return true;
}

function describe(samples: Sample[], notes: string[]): CleanSeries {
  const stepMs = medianStep(samples);
  const gaps: Gap[] = [];
  if (stepMs > 0) {
    for (let i = 1; i < samples.length; i++) {
      if (samples[i].t - samples[i - 1].t > 3 * stepMs) gaps.push({ from: samples[i - 1].t, to: samples[i].t });
    }
  }
  if (gaps.length > 0) {
    const missing = gaps.reduce((sum, g) => sum + (g.to - g.from), 0);
    notes.push(`${gaps.length} gap(s) in the data, ${formatHours(missing)} in all; gaps are not filled`);
  }
  const spanMs = samples.length > 1 ? samples[samples.length - 1].t - samples[0].t : 0;
  const coverage = stepMs > 0 ? Math.min(1, samples.length / (spanMs / stepMs + 1)) : 0;
  return { samples, stepMs, gaps, notes, spanMs, coverage };
}

function medianStep(samples: Sample[]): number {
  if (samples.length < 2) return 0;
  // Regular series have one spacing, or a handful: check, then count, and only sort as a last resort.
  const first = samples[1].t - samples[0].t;
  let regular = true;
  for (let i = 2; i < samples.length && regular; i++) regular = samples[i].t - samples[i - 1].t === first;
  if (regular) return first;
  const counts = new Map<number, number>();
  for (let i = 1; i < samples.length && counts.size <= 64; i++) {
    const d = samples[i].t - samples[i - 1].t;
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  if (counts.size <= 64) {
    const half = (samples.length - 1) / 2;
    let seen = 0;
    for (const d of [...counts.keys()].sort((a, b) => a - b)) {
      seen += counts.get(d) ?? 0;
      if (seen > half) return d;
    }
  }
  const diffs = new Float64Array(samples.length - 1);
  for (let i = 1; i < samples.length; i++) diffs[i - 1] = samples[i].t - samples[i - 1].t;
  diffs.sort();
  return diffs[Math.floor(diffs.length / 2)];
}

function formatHours(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 48 ? `${(hours / 24).toFixed(1)} days` : `${hours.toFixed(1)} h`;
}
