/**
 * `TerraformStack#toTerraform()`, at less than half the cost. cdktf resolves every element's JSON,
 * merges them, then resolves the whole merged document a second time, visiting every leaf each
 * time with a fresh resolution context. Here each element's JSON is merged once and only the
 * values that hold a token (an encoded `TfToken[…]` string, a token-encoded number, an
 * IResolvable) go through cdktf's own resolver; plain leaves are copied. The result is the same
 * document (test/synth/synthesize.test.ts compares the two on every example config), without
 * cdktf's `//` metadata of overrides, and already in canonical form (sorted keys, literals
 * restored), which saves the document a second walk.
 */
import type { TerraformStack } from 'cdktf';
import { restoreLiterals } from '../../stacks/naming.ts';
import { canonicalize } from './canonical-json.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { cdktf } from '../../stacks/cdk.ts';

const { DefaultTokenResolver, StringConcat, TerraformElement, Token, Tokenization } = cdktf;

const resolver = new DefaultTokenResolver(new StringConcat());
/** Every encoded token contains this: `${TfToken[TOKEN.1]}`, `#{TfToken[…]}` (lists), `&{TfToken[…]}` (maps). */
const tokenMarker = 'TfToken[';
const listTokenMarker = `#{${tokenMarker}`;

type Json = Record<string, unknown>;

export function stackToTerraform(stack: TerraformStack): TerraformJson {
  const merged: Json = {};
  let backend: string | undefined;
  for (const node of stack.node.findAll()) {
    if (!TerraformElement.isTerraformElement(node)) continue;
    const metadata = node.toMetadata() as { backend?: string };
    if (metadata.backend) backend = metadata.backend;
    merge(merged, node.toTerraform() as Json);
  }
  // `//` sorts before every other top-level key, so the document stays in canonical order.
  const meta = { metadata: { backend: backend ?? 'local', stackName: stack.node.id }, outputs: {} };
  return { '//': meta, ...(resolveTokens(merged, stack) as Json) } as TerraformJson;
}

/**
 * cdktf's deepMerge: objects merge, arrays concatenate (two `provider.aws` blocks), IResolvables
 * are kept whole. A key the target does not have yet takes the value as it is (resolveTokens
 * copies it anyway), so each resource body is visited once, not once per merge level.
 */
function merge(target: Json, source: Json): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value === undefined) continue;
    const existing = target[key];
    if (existing === undefined) {
      target[key] = value;
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value) && !Tokenization.isResolvable(value)) {
      if (typeof existing !== 'object' || existing === null || Tokenization.isResolvable(existing)) target[key] = {};
      merge(target[key] as Json, value as Json);
    } else if (Array.isArray(value) && Array.isArray(existing)) {
      target[key] = [...existing, ...value];
    } else {
      target[key] = value;
    }
  }
}

function resolveWithCdktf(value: unknown, stack: TerraformStack): unknown {
  return canonicalize(Tokenization.resolve(value, { scope: stack, preparing: false, resolver }));
}

/**
 * A resolved copy in canonical form (sorted keys, literals restored; see canonical-json.ts), in
 * one pass: values without a token are copied, the rest go through cdktf's resolver.
 */
function resolveTokens(value: unknown, stack: TerraformStack): unknown {
  if (typeof value === 'string') return value.includes(tokenMarker) ? resolveWithCdktf(value, stack) : restoreLiterals(value);
  if (typeof value === 'number') return Token.isUnresolved(value) ? resolveWithCdktf(value, stack) : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    // A list token stands for the whole list (`subnets = data.aws_subnets.x.ids`): cdktf decides.
    if (value.some((v) => (typeof v === 'string' && v.includes(listTokenMarker)) || (typeof v === 'number' && Token.isUnresolved(v)))) return resolveWithCdktf(value, stack);
    const out: unknown[] = [];
    for (const item of value) {
      const resolved = resolveTokens(item, stack);
      if (resolved !== undefined) out.push(resolved);
    }
    return out;
  }
  if (Tokenization.isResolvable(value)) return resolveWithCdktf(value, stack);
  const keys = Object.keys(value);
  for (const key of keys) if (key.includes(tokenMarker)) return resolveWithCdktf(value, stack);
  const out: Json = {};
  for (const key of keys.sort()) {
    const resolved = resolveTokens((value as Json)[key], stack);
    if (resolved !== undefined) out[key] = resolved;
  }
  return out;
}
