/**
 * A second Slipway worker process for the multi-process deploy test: `node --import tsx
 * test/e2e/deploy-worker-process.ts` with the service's settings in its environment
 * (SLIPWAY_ROLE=worker, DATABASE_URL, the runner's state settings, GITHUB_API_URL…). It runs the
 * real service (startService) with synthesis through the terraform_data test kinds, where apps
 * named `slow-…` get a web service whose creation sleeps for SLOW_SECONDS. Prints `ready` once its
 * worker runs; stops on SIGTERM.
 */
import type { ResolvedConfig } from '../../src/config/schema.ts';
import { startService } from '../../src/cli/serve.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';
import { loadSettings } from '../../src/settings/load-settings.ts';
import { testSynthesis } from './service-harness.ts';

export function slowWhenNamedSlow(seconds: number) {
  return (doc: TerraformJson, config: ResolvedConfig): TerraformJson => {
    if (!config.name.startsWith('slow')) return doc;
    const data = doc.resource!.terraform_data as Record<string, Record<string, unknown>>;
    const key = Object.keys(data).find((k) => k.startsWith('web_service'))!;
    data[key] = { ...data[key], provisioner: [{ 'local-exec': { command: `sleep ${seconds}` } }] };
    return doc;
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const settings = loadSettings(process.env, process.cwd());
  const service = await startService(settings, {
    log: (m) => process.stderr.write(`${m}\n`),
    retryBaseMs: 1,
    worker: { pollMs: 50, retryBackoff: { baseMs: 20, maxMs: 100 }, shutdownGraceMs: 2_000 },
    synthesize: testSynthesis(slowWhenNamedSlow(Number(process.env.SLOW_SECONDS ?? '3'))),
  });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => void service.stop().then(() => process.exit(0)));
}
