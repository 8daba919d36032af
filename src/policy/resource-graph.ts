/**
 * The resources of a Terraform JSON document, indexed by type and address, with the `${type.name.attr}`
 * references between them, for `related` and `references` conditions. Built once per evaluation;
 * the reverse indexes are built lazily, only for the (type, attribute) pairs some rule asks about.
 */
import type { TerraformJson } from '../plan/terraform-json.ts';
import { valuesAt } from './path.ts';
import { LruMap } from '../lru-map.ts';

export type TerraformResource = {
  address: string;
  type: string;
  name: string;
  /** The attribute block as written, with `tags_all` (provider default_tags merged with tags) added. */
  view: Record<string, unknown>;
  block: Record<string, unknown>;
};

const referencePattern = /\$\{(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)/g;

/** Addresses (`type.name`, `data.type.name`) referenced by `${type.name...}` interpolations anywhere inside `value`. */
export function referencedAddresses(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    if (value.includes('${')) for (const match of value.matchAll(referencePattern)) out.add(`${match[1] ?? ''}${match[2]}.${match[3]}`);
  } else if (Array.isArray(value)) {
    for (const item of value) referencedAddresses(item, out);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) referencedAddresses(item, out);
  }
  return out;
}

export class ResourceGraph {
  readonly byAddress = new Map<string, TerraformResource>();
  private readonly byTypeIndex = new Map<string, TerraformResource[]>();
  private readonly incomingIndex = new Map<string, Map<string, TerraformResource[]>>();

  constructor(terraform: TerraformJson | undefined) {
    const defaultTags = providerDefaultTags(terraform);
    for (const [type, blocks] of Object.entries(terraform?.resource ?? {})) {
      if (blocks === null || typeof blocks !== 'object') continue;
      const list: TerraformResource[] = [];
      for (const [name, block] of Object.entries(blocks)) {
        if (block === null || typeof block !== 'object') continue;
        const tags = block.tags !== null && typeof block.tags === 'object' ? (block.tags as Record<string, unknown>) : undefined;
        const view = defaultTags || tags ? { ...block, tags_all: { ...defaultTags, ...tags, ...(block.tags_all as object | undefined) } } : block;
        const resource = { address: `${type}.${name}`, type, name, view, block };
        list.push(resource);
        this.byAddress.set(resource.address, resource);
      }
      this.byTypeIndex.set(type, list);
    }
    // Data sources are reachable by address (a `references` condition may point at one: app stacks
    // look the load balancer's security group up by tag) but are never selected as resources.
    for (const [type, blocks] of Object.entries(terraform?.data ?? {})) {
      if (blocks === null || typeof blocks !== 'object') continue;
      for (const [name, block] of Object.entries(blocks as Record<string, Record<string, unknown>>)) {
        if (block === null || typeof block !== 'object') continue;
        const tags = block.tags !== null && typeof block.tags === 'object' ? block.tags : undefined;
        const view = tags ? { ...block, tags_all: tags } : block;
        this.byAddress.set(`data.${type}.${name}`, { address: `data.${type}.${name}`, type, name, view, block });
      }
    }
  }

  ofTypes(types: readonly string[]): TerraformResource[] {
    const out: TerraformResource[] = [];
    for (const type of types) {
      if (type.includes('*')) {
        const pattern = globToRegExp(type);
        for (const [candidate, list] of this.byTypeIndex) if (pattern.test(candidate)) out.push(...list);
      } else {
        const list = this.byTypeIndex.get(type);
        if (list) out.push(...list);
      }
    }
    return out;
  }

  /** Resources of `types` whose attribute `via` refers to `address`. */
  incoming(address: string, types: readonly string[], via: string): TerraformResource[] {
    const key = `${types.join(',')}|${via}`;
    let index = this.incomingIndex.get(key);
    if (!index) {
      index = new Map();
      for (const source of this.ofTypes(types)) {
        for (const target of referencedAddresses(valuesAt(source.block, via))) {
          const list = index.get(target) ?? [];
          list.push(source);
          index.set(target, list);
        }
      }
      this.incomingIndex.set(key, index);
    }
    return index.get(address) ?? [];
  }
}

function providerDefaultTags(terraform: TerraformJson | undefined): Record<string, unknown> | undefined {
  const aws = terraform?.provider?.aws;
  const first = Array.isArray(aws) ? aws[0] : aws;
  const tags = valuesAt(first, 'default_tags.tags')[0];
  return tags !== null && typeof tags === 'object' ? (tags as Record<string, unknown>) : undefined;
}

// Keyed by resource-type globs from policy files: bounded.
const globCache = new LruMap<string, RegExp>(500, { weigh: (glob) => glob.length, maxWeight: 1_000_000 });
export function globToRegExp(glob: string): RegExp {
  let pattern = globCache.get(glob);
  if (!pattern) {
    pattern = new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    globCache.set(glob, pattern);
  }
  return pattern;
}
