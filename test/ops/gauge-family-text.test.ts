/**
 * gaugeFamilyText writes the per-environment families of `/metrics` itself; Prometheus and every
 * dashboard built on them read the same text as when prom-client wrote them. prom-client is the
 * reference: each case renders the same series through a prom-client Gauge.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Gauge, Registry } from 'prom-client';
import { gaugeFamilyText } from '../../src/ops/gauge-family-text.ts';

const labelNames = ['repository', 'app', 'environment', 'status'] as const;
type Labels = Record<(typeof labelNames)[number], string>;

async function promClientText(name: string, help: string, series: Labels[]): Promise<string> {
  const registry = new Registry();
  const gauge = new Gauge({ name, help, labelNames: [...labelNames], registers: [registry] });
  for (const s of series) gauge.set({ repository: s.repository, app: s.app, environment: s.environment, status: s.status }, 1);
  return (await registry.metrics()).slice(0, -1);
}

describe('a gauge family written directly', () => {
  it('is the text prom-client writes for ordinary environments, in the order they were read', async () => {
    const series = Array.from({ length: 50 }, (_, i) => ({ repository: `acme/repo-${i % 7}`, app: `app-${i}`, environment: i % 3 ? 'production' : 'pr-12', status: i % 5 ? 'succeeded' : 'failed' }));
    const help = 'Status of each environment’s latest deployment (1 for the status it has).';
    assert.equal(gaugeFamilyText('slipway_environment_deployment_status', help, labelNames, series, 1), await promClientText('slipway_environment_deployment_status', help, series));
  });

  it('escapes hostile label values and help text as prom-client does (quotes, backslashes, newlines, unicode)', async () => {
    const series = [
      { repository: 'acme/"quoted"', app: 'back\\slash', environment: 'new\nline', status: 'succeeded' },
      { repository: 'acme/ünïcødé ’', app: '\\"\n', environment: '', status: 'failed' },
      { repository: 'acme/x', app: '{a="b"} 1', environment: '# HELP', status: 'planned' },
    ];
    const help = 'A help text with a \\ backslash\nand a newline';
    assert.equal(gaugeFamilyText('slipway_x', help, labelNames, series, 1), await promClientText('slipway_x', help, series));
  });

  it('writes a label set read twice once, in its first place, and only the header when there is no series', async () => {
    const a = { repository: 'acme/a', app: 'web', environment: 'production', status: 'succeeded' };
    const b = { repository: 'acme/b', app: 'web', environment: 'production', status: 'succeeded' };
    const series = [a, b, { ...a }];
    assert.equal(gaugeFamilyText('slipway_x', 'h', labelNames, series, 1), await promClientText('slipway_x', 'h', series));
    assert.equal(gaugeFamilyText('slipway_x', 'h', labelNames, [], 1), await promClientText('slipway_x', 'h', []));
  });
});
