/**
 * What `{ from: <name>.<output> }` may name: each resource type's outputs, and a web service's url.
 * Synthesis maps the same names onto Terraform attributes.
 */
import type { PaasConfig } from './schema.ts';

export const outputsByType = {
  postgres: ['url', 'host', 'port', 'username', 'password', 'name'],
  redis: ['url', 'host', 'port'],
  queue: ['url', 'arn', 'name'],
  bucket: ['name', 'arn'],
  web: ['url'],
} as const satisfies Record<string, readonly string[]>;

export type Referable = keyof typeof outputsByType;

/** The components `{ from: ... }` may name in this config, with their kind. */
export function referableComponents(config: Pick<PaasConfig, 'services' | 'resources'>): Map<string, Referable> {
  const out = new Map<string, Referable>();
  for (const [name, resource] of Object.entries(config.resources ?? {})) out.set(name, resource.type);
  for (const [name, service] of Object.entries(config.services ?? {})) if (service.type === 'web') out.set(name, 'web');
  return out;
}

/** `db.url` → { component: 'db', output: 'url' }. */
export function parseReference(from: string): { component: string; output: string } | undefined {
  const dot = from.indexOf('.');
  if (dot <= 0 || dot === from.length - 1) return undefined;
  return { component: from.slice(0, dot), output: from.slice(dot + 1) };
}
