/**
 * The line every report gives each app's plan: whose plan it is, and when it is Slipway's inferred
 * diff, why Terraform's is not shown. `Plan: Terraform 1.11.4 (speculative)` ·
 * `Plan: inferred by Slipway — Terraform could not plan: No valid credential sources found`.
 * The reason is already redacted by the runner; credential-shaped text is scrubbed again here.
 */
import type { PlanSource } from '../plan/plan-source.ts';
import { scrubSecrets } from '../plan/sensitive.ts';

export function planSourceLine(source: PlanSource): string {
  if (source.kind === 'terraform') return `Plan: ${source.tool} ${source.version}${source.speculative ? ' (speculative)' : ''}`;
  return `Plan: inferred by Slipway${source.reason ? ` — ${scrubSecrets(source.reason)}` : ''}`;
}
