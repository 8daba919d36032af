/**
 * The Terraform JSON configuration document (what synthesis produces and what a deployment
 * records), as far as plan and cost read it, and a flat listing of its resource and data blocks.
 * Structural on purpose: synthesis, the store and a saved file all produce this shape.
 */
/** CDKTF's per-block metadata: `path` is `<stack>/<component>/<thing>...`. */
export type BlockMetadata = { metadata?: { path?: string; uniqueId?: string } };

/** One resource or data source body. */
export type TerraformBlock = { '//'?: BlockMetadata; tags?: Record<string, string>; [attribute: string]: unknown };

/** The one type for the document (https://developer.hashicorp.com/terraform/language/syntax/json). */
export type TerraformJson = {
  '//'?: { metadata?: Record<string, unknown>; outputs?: unknown };
  terraform?: { backend?: Record<string, Record<string, unknown>>; required_providers?: Record<string, unknown>; [key: string]: unknown };
  provider?: Record<string, Record<string, unknown>[]>;
  /** type → logical name → body */
  resource?: Record<string, Record<string, TerraformBlock>>;
  data?: Record<string, Record<string, TerraformBlock>>;
  variable?: Record<string, { sensitive?: boolean; [key: string]: unknown }>;
  output?: Record<string, Record<string, unknown>>;
  locals?: Record<string, unknown>;
};

export type TerraformEntry = {
  /** `aws_s3_bucket.uploads` or `data.aws_vpc.main`. */
  address: string;
  type: string;
  name: string;
  mode: 'managed' | 'data';
  block: TerraformBlock;
};

/** Every resource and data block, managed first, in document order. */
export function listTerraformEntries(doc: TerraformJson | null | undefined): TerraformEntry[] {
  const out: TerraformEntry[] = [];
  if (!doc) return out;
  for (const [mode, section] of [['managed', doc.resource], ['data', doc.data]] as const) {
    if (!isRecord(section)) continue;
    for (const [type, byName] of Object.entries(section)) {
      if (type === '//' || !isRecord(byName)) continue;
      for (const [name, block] of Object.entries(byName)) {
        if (name === '//' || !isRecord(block)) continue;
        // A name starting with `module.` is a full address (from a plan, see planToTerraformJson):
        // Terraform names cannot contain dots, so it cannot be an ordinary name.
        const address = name.startsWith('module.') ? name : mode === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
        out.push({ address, type, name, mode, block });
      }
    }
  }
  return out;
}

/**
 * The `paas.yaml` service or resource a block belongs to: the `slipway:component` tag the stacks
 * put on taggable resources, else the second segment of CDKTF's `//.metadata.path`
 * (`<stack>/<component>/<thing>`). Synthesis exports its own `componentOf`; callers may pass it.
 */
export function defaultComponentOf(block: TerraformBlock): string | undefined {
  const tags = block.tags;
  if (isRecord(tags) && typeof tags['slipway:component'] === 'string') return tags['slipway:component'];
  const meta = block['//'];
  if (isRecord(meta) && isRecord(meta.metadata) && typeof meta.metadata.path === 'string') {
    const segments = meta.metadata.path.split('/');
    if (segments.length >= 3) return segments[1];
  }
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
