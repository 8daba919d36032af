/**
 * The service's settings, read once at start-up from the environment (and a `.env` file when one
 * exists), named as GitHub App developers know them from Probot. One schema; the type is derived
 * from it. Secret values never appear in error messages.
 */
import { z } from 'zod';
import { defaultSlipwayDataDir } from '../store/store-options.ts';
import { parseRepositoryPatterns } from './repository-allow-list.ts';
import type { ReconcileSettings } from './reconcile-settings.ts';
import type { RunnerSettings } from './runner-settings.ts';
import type { PreviewSettings } from './preview-settings.ts';

export const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const portOr = <D extends number | undefined>(fallback: D) => z
  .string()
  .optional()
  .transform((v, ctx): number | D => {
    if (v === undefined || v.trim() === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      ctx.addIssue({ code: 'custom', message: `must be a port number 0–65535, got "${v}"` });
      return z.NEVER;
    }
    return n;
  });
const port = portOr(3000);

const url = (fallback?: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const text = v === undefined || v.trim() === '' ? fallback : v.trim();
      if (text === undefined) return undefined;
      try {
        const parsed = new URL(text);
        if (!/^https?:$/.test(parsed.protocol)) throw new Error('not http');
        return text.replace(/\/+$/, '');
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be an http(s) URL, got "${text}"` });
        return z.NEVER;
      }
    });

/** The raw variables, as strings. */
export const SettingsEnv = z.object({
  APP_ID: z
    .string({ error: 'is required (the GitHub App id, a number)' })
    .trim()
    .regex(/^\d+$/, 'must be the numeric GitHub App id')
    .transform(Number),
  PRIVATE_KEY: optionalText,
  PRIVATE_KEY_PATH: optionalText,
  WEBHOOK_SECRET: z.string({ error: 'is required (the secret set on the App’s webhook)' }).min(1, 'must not be empty'),
  WEBHOOK_SECRET_PREVIOUS: optionalText,
  GITHUB_API_URL: url('https://api.github.com'),
  /** GitHub's web address, where repositories are cloned from (default: derived from GITHUB_API_URL). */
  GITHUB_URL: url(),
  /** The App's OAuth client, for signing in to the dashboard with GitHub (set-up writes them). */
  GITHUB_CLIENT_ID: optionalText,
  GITHUB_CLIENT_SECRET: optionalText,
  DATABASE_URL: optionalText.refine((v) => v === undefined || /^postgres(ql)?:\/\//i.test(v), {
    message: 'must be a postgres:// URL (unset: the embedded database)',
  }),
  SLIPWAY_DATA_DIR: optionalText.transform((v) => v ?? defaultSlipwayDataDir),
  PORT: port,
  /** The worker role's own port for /healthz, /readyz and /metrics (unset: it opens none). */
  SLIPWAY_WORKER_PORT: portOr(undefined),
  HOST: optionalText.transform((v) => v ?? '0.0.0.0'),
  SLIPWAY_REPOSITORIES: optionalText,
  SLIPWAY_POLICY_DIR: optionalText,
  SLIPWAY_ROLE: optionalText.pipe(z.enum(['all', 'web', 'worker']).optional()).transform((v) => v ?? 'all'),
  SLIPWAY_API_TOKEN: optionalText,
  SLIPWAY_WORKERS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return 2;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 64) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number 1–64, got "${v}"` });
        return z.NEVER;
      }
      return n;
    }),
  SLIPWAY_PUBLIC_URL: url(),
  SLIPWAY_PROMETHEUS_URL: url(),
  SLIPWAY_LOG_FORMAT: optionalText.pipe(z.enum(['json', 'pretty']).optional()).transform((v) => v ?? 'json'),
  SLIPWAY_METRICS_TOKEN: optionalText,
  SLIPWAY_API_RATE_LIMIT: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return 600;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number of requests a minute per token, got "${v}"` });
        return z.NEVER;
      }
      return n;
    }),
});
export type SettingsEnv = z.infer<typeof SettingsEnv>;

/** What GitHub gives an App when it is registered (by hand, or by the set-up page's manifest flow). */
export type AppCredentials = {
  appId: number;
  /** PEM, with real newlines. */
  privateKey: string;
  webhookSecret: string;
  /** The webhook secret being rotated out: still accepted until it is unset. */
  previousWebhookSecret?: string;
  /** The App's OAuth client (dashboard sign-in with GitHub); absent: sign-in with the API token only. */
  oauth?: { clientId: string; clientSecret: string };
};

/** Everything but the App's credentials: what `slipway serve` runs its set-up page with. */
export type BaseSettings = Omit<Settings, keyof AppCredentials>;

export type Settings = AppCredentials & {
  githubApiUrl: string;
  /**
   * GitHub's web address: where the set-up page sends the App manifest, where people sign in, and
   * where repositories are cloned from (`<githubUrl>/<owner>/<repo>.git`, never a URL in a delivery).
   * Unset: derived from `githubApiUrl` (src/github/clone-url.ts).
   */
  githubUrl?: string;
  databaseUrl?: string;
  dataDir: string;
  port: number;
  host: string;
  /** `acme/*,!acme/legacy`; undefined: every repository the App is installed on. */
  repositoryPatterns?: ReturnType<typeof parseRepositoryPatterns>;
  policyDir?: string;
  role: 'all' | 'web' | 'worker';
  apiToken?: string;
  workers: number;
  publicUrl?: string;
  /** The Prometheus deploy verdicts read the metrics paas.yaml gives PromQL for (`SLIPWAY_PROMETHEUS_URL`). */
  prometheusUrl?: string;
  /** `json` (one object a line, the default) or `pretty` (for a terminal). */
  logFormat?: 'json' | 'pretty';
  /** Bearer token `/metrics` asks for (`SLIPWAY_METRICS_TOKEN`); unset, `/metrics` is open. */
  metricsToken?: string;
  /** `SLIPWAY_WORKER_PORT`: where a worker-role process answers /healthz, /readyz and /metrics. */
  workerPort?: number;
  /** API requests a minute each token may make (`SLIPWAY_API_RATE_LIMIT`, default 600). */
  apiRateLimit?: number;
  /** The Terraform runner: which binary, where state lives, time limits (see runner-settings.ts). */
  runner: RunnerSettings;
  /** The periodic reconcile tick and retention (see reconcile-settings.ts); defaults when absent. */
  reconcile?: ReconcileSettings;
  /** Server-wide preview caps and retries (see preview-settings.ts); defaults when absent. */
  previews?: PreviewSettings;
};

export { githubWebUrl } from '../github/clone-url.ts';
