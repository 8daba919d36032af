/**
 * A preview held to its dollar caps, before anything is planned: the preview's config is priced
 * (the AWS resources its paas.yaml asks for, at list price); over a cap — `previews.maxMonthly`
 * (or `budget.preview`) and the server's `SLIPWAY_PREVIEW_MAX_MONTHLY` for one preview,
 * `previews.totalMonthly` for this preview plus the app's other open ones — it is shrunk
 * (shrink-preview.ts) and priced again; still over, it is refused. The decision carries the
 * figures the PR comment shows.
 */
import type { PlainObject } from '../config/deep-merge.ts';
import { deepMerge } from '../config/deep-merge.ts';
import type { LoadedApp } from '../config/load.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import { estimateCost } from '../cost/index.ts';
import { synthesizeApp, type SynthesizeApp } from '../evaluate/evaluate-app.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { synthesize as synthesizeAws } from '../synth/synthesize.ts';
import { shrinkPreview } from './shrink-preview.ts';

export type PreviewCaps = {
  /** USD a month for this preview: the smaller of the app's and the server's. */
  perPreview?: number;
  /** USD a month for all of the app's open previews. */
  total?: number;
  /** What the app's other open previews cost a month. */
  othersMonthly: number;
};

export type PreviewDecision = {
  environment: string;
  /** USD a month as it will run (after shrinking); null when it could not be priced. */
  monthly: number | null;
  /** Before shrinking, when it was shrunk. */
  monthlyBefore?: number;
  caps: PreviewCaps;
  /** `web: instances 2 → 1`, … */
  shrunk: string[];
  /** Why it is not deployed, with the figures. */
  refused?: string;
};

export type FittedPreview = { app: LoadedApp; synthesized: { config: ResolvedConfig; terraform: TerraformJson }; decision: PreviewDecision };

export function capsFor(config: LoadedApp['config'], server: { maxMonthly?: number }, othersMonthly: number): PreviewCaps {
  const own = config.previews?.maxMonthly ?? config.budget?.preview;
  const candidates = [own, server.maxMonthly].filter((v): v is number => typeof v === 'number');
  return {
    ...(candidates.length > 0 ? { perPreview: Math.min(...candidates) } : {}),
    ...(config.previews?.totalMonthly !== undefined ? { total: config.previews.totalMonthly } : {}),
    othersMonthly,
  };
}

/** Monthly USD of a resolved config at list price (null: its region is not priced). */
export function priceConfig(config: ResolvedConfig, sha: string): number | null {
  try {
    return estimateCost(synthesizeAws(config, { sha }), { region: config.region }).monthly;
  } catch {
    return null;
  }
}

export function overCap(monthly: number | null, caps: PreviewCaps): string | undefined {
  if (monthly === null) return undefined;
  if (caps.perPreview !== undefined && monthly > caps.perPreview) return `${usd(monthly)}/month is over the cap of ${usd(caps.perPreview)}/month per preview`;
  if (caps.total !== undefined && caps.othersMonthly + monthly > caps.total) {
    return `${usd(monthly)}/month with the app's other open previews (${usd(caps.othersMonthly)}/month) is over the cap of ${usd(caps.total)}/month for all previews`;
  }
  return undefined;
}

export function fitPreview(input: { app: LoadedApp; environment: string; sha: string; synthesize?: SynthesizeApp; caps: PreviewCaps; price?: (config: ResolvedConfig, sha: string) => number | null }): FittedPreview {
  const price = input.price ?? priceConfig;
  const { app, environment, sha, caps } = input;
  const synthesized = synthesizeApp({ app, environment, sha, synthesize: input.synthesize });
  const monthly = price(synthesized.config, sha);
  if (!overCap(monthly, caps)) return { app, synthesized, decision: { environment, monthly, caps, shrunk: [] } };

  const { override, shrunk } = shrinkPreview(synthesized.config);
  const previews = deepMerge((app.config.previews ?? {}) as PlainObject, override) as NonNullable<LoadedApp['config']['previews']>;
  const smaller: LoadedApp = { ...app, config: { ...app.config, previews } };
  const small = shrunk.length > 0 ? synthesizeApp({ app: smaller, environment, sha, synthesize: input.synthesize }) : synthesized;
  const after = shrunk.length > 0 ? price(small.config, sha) : monthly;
  const still = overCap(after, caps);
  const decision: PreviewDecision = { environment, monthly: after, monthlyBefore: monthly!, caps, shrunk, ...(still ? { refused: `${still}${shrunk.length > 0 ? ', even shrunk' : ' (nothing left to shrink)'}` } : {}) };
  return { app: shrunk.length > 0 ? smaller : app, synthesized: small, decision };
}

export function usd(value: number): string {
  return `$${value.toFixed(2)}`;
}
