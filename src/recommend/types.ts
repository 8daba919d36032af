/**
 * The part of a recommendation that the report and the PR review need. The recommend module may
 * carry more (evidence, anomalies); it must carry at least this.
 */
export type RecommendationSummary = {
  app: string;
  service: string;
  /** e.g. `cpu`, `memory`, `instances`, `autoscaling`, `schedule`. */
  kind: string;
  title: string;
  /** One or two sentences of evidence a reviewer can check. */
  detail: string;
  /** USD per month; positive saves money, negative adds cost. */
  monthlySaving: number;
  /** 0..1 */
  confidence: number;
  /** A one-click fix on a paas.yaml line, when one applies. */
  suggestion?: { file: string; line: number; endLine?: number; replacement: string };
};
