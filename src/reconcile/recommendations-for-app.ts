/**
 * Scaling and cost recommendations for an app, when the store holds metric samples for it
 * (pushed to `/api/v1/metrics` or imported) under this installation and repository: the report's
 * section and the review suggestions on the PR head's paas.yaml lines. Another tenant's app of the
 * same name is never read. No samples, no section.
 *
 * With `where` (the pull request and head commit), the history is kept too: an open proposal whose
 * value the head now has is accepted; an accepted one a week old gets its effect measured from the
 * recorded running tasks; this evaluation's proposals are recorded; and a proposal whose kind was
 * accepted and measured before says what that saved. The history is per tenant too.
 */
import type { LoadedApp } from '../config/load.ts';
import { changeApplied, fargatePrice, fingerprintOf, lastTimeNote, measureEffect, recommendFromStore, serviceSpec, toSummary, type MeasuredEffect, type RecommendationChange, type RecommendationSummary } from '../recommend/index.ts';
import type { Db } from '../store/db.ts';
import { hasMetricSamples, readMetricSamples, type SampleScope } from '../store/metric-samples.ts';
import { decideRecommendation, lastMeasuredRecommendation, openRecommendations, recommendationsAwaitingEffect, recordProposedRecommendations, recordRecommendationEffect } from '../store/recommendations.ts';

const environment = 'production';
const dayMs = 86_400_000;
/** Days of recorded tasks compared on each side of an acceptance. */
const effectDays = 7;

type StoredBody = { summary: RecommendationSummary; spec?: { cpu: number; memoryMiB: number; instances: { min: number; max: number } } };

export async function recommendationsForApp(db: Db, scope: SampleScope, app: LoadedApp, now: Date, where?: { pullRequest: number; commitSha: string }): Promise<RecommendationSummary[]> {
  if (!(await hasMetricSamples(db, scope, app.config.name))) return [];
  const read = (a: string, service: string, metric: string, from: Date, to: Date) => readMetricSamples(db, scope, a, service, metric, from, to);
  const recs = await recommendFromStore(read, app.config, now.getTime());
  const summaries = recs.flatMap((rec) => toSummary(rec, { file: app.file, locate: (path) => app.locate(path), source: app.source }));
  if (!where) return summaries;

  const name = app.config.name;
  for (const row of await openRecommendations(db, scope, name, environment)) {
    const change = (row.body as StoredBody).summary?.change;
    if (change && changeApplied(change, app.config.services[row.service])) await decideRecommendation(db, row.id, 'accepted', now, where.commitSha);
  }
  const { price } = fargatePrice(app.config.region);
  for (const row of await recommendationsAwaitingEffect(db, scope, name, environment, new Date(now.getTime() - effectDays * dayMs))) {
    const effect = await measuredEffect(db, scope, app, row.service, row.body as StoredBody, row.decidedAt!, price);
    if (effect) await recordRecommendationEffect(db, row.id, effect, now);
  }
  const proposed = summaries.filter((s): s is RecommendationSummary & { change: RecommendationChange } => s.change !== undefined);
  await recordProposedRecommendations(
    db,
    proposed.map((s) => ({
      ...scope,
      app: name,
      environment,
      service: s.service,
      kind: s.kind,
      fingerprint: fingerprintOf(s),
      body: { summary: s, spec: serviceSpec(app.config, s.service)?.spec } satisfies StoredBody,
      monthlySaving: s.monthlySaving,
      pullRequest: where.pullRequest,
      commitSha: where.commitSha,
    })),
    now,
  );
  const out: RecommendationSummary[] = [];
  for (const s of summaries) {
    const last = s.change ? await lastMeasuredRecommendation(db, { ...scope, app: name, environment, service: s.service, kind: s.kind }) : undefined;
    out.push(last?.effect && last.decidedAt ? { ...s, detail: `${s.detail} ${lastTimeNote({ kind: s.kind, service: s.service, decidedAt: last.decidedAt, effect: last.effect as MeasuredEffect })}` } : s);
  }
  return out;
}

/** Cost from recorded running tasks in the week before and the week after an acceptance. */
async function measuredEffect(db: Db, scope: SampleScope, app: LoadedApp, service: string, body: StoredBody, decidedAt: Date, price: { vcpuHour: number; gbHour: number }): Promise<MeasuredEffect | undefined> {
  const after = serviceSpec(app.config, service)?.spec;
  const before = body.spec;
  if (!after || !before) return undefined;
  const t = decidedAt.getTime();
  const tasks = (from: number, to: number) => readMetricSamples(db, scope, app.config.name, service, 'instances', new Date(from), new Date(to)).then((rows) => rows.map((r) => ({ t: r.at.getTime(), v: r.value })));
  return measureEffect(
    { tasks: await tasks(t - effectDays * dayMs, t), cpu: before.cpu, memoryMiB: before.memoryMiB, fallbackTasks: before.instances.min, days: effectDays },
    { tasks: await tasks(t, t + effectDays * dayMs), cpu: after.cpu, memoryMiB: after.memoryMiB, fallbackTasks: after.instances.min, days: effectDays },
    price,
  );
}
