/**
 * parse + validate `fixtures/apps/microservices-demo/paas.yaml` (YAML, schema, cross-field checks,
 * every environment): median of many runs after warm-up. Prints numbers; asserts nothing.
 *   node --import tsx bench/load.bench.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText } from '../src/config/load.ts';
import { resolveEnvironment } from '../src/config/resolve-environment.ts';

const file = join(import.meta.dirname, '..', 'fixtures', 'apps', 'microservices-demo', 'paas.yaml');
const text = readFileSync(file, 'utf8');

function measure(label: string, fn: () => void, warmup = 200, runs = 2000): void {
  for (let i = 0; i < warmup; i += 1) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  console.log(`${label.padEnd(44)} median ${at(0.5).toFixed(3)} ms   p90 ${at(0.9).toFixed(3)} ms   p99 ${at(0.99).toFixed(3)} ms   (${runs} runs)`);
}

const loaded = parseConfigText(text, 'paas.yaml');
if (!loaded.ok) throw new Error('microservices-demo does not load');
const config = loaded.config;

console.log(`microservices-demo: ${text.length} bytes, ${Object.keys(config.services).length} services, ${Object.keys(config.resources).length} resources, 1 environment + previews`);
measure('parseConfigText (parse + validate, all envs)', () => void parseConfigText(text, 'paas.yaml'));
measure('resolveEnvironment(staging)', () => void resolveEnvironment(config, 'staging'));
measure('loaded.locate(services.web.memory)', () => void loaded.locate('services.web.memory'), 1000, 20000);
const invalid = text.replace('memory: 1Gi', 'memmory: 1Gi');
measure('parseConfigText on an invalid file', () => void parseConfigText(invalid, 'paas.yaml'));
