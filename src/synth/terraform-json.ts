/** The Terraform JSON document synthesis returns (https://developer.hashicorp.com/terraform/language/syntax/json). */

/** CDKTF's per-block metadata: `path` is `<stack>/<component>/<thing>...`. */
export type BlockMetadata = { metadata?: { path?: string; uniqueId?: string } };

/** One resource or data source body. */
export type TerraformBlock = { '//'?: BlockMetadata; tags?: Record<string, string>; [attribute: string]: unknown };

export type TerraformJson = {
  '//'?: { metadata?: Record<string, unknown>; outputs?: unknown };
  terraform?: { backend?: Record<string, Record<string, unknown>>; required_providers?: Record<string, unknown>; [key: string]: unknown };
  provider?: Record<string, Record<string, unknown>[]>;
  /** type → logical name → body */
  resource?: Record<string, Record<string, TerraformBlock>>;
  data?: Record<string, Record<string, TerraformBlock>>;
  variable?: Record<string, Record<string, unknown>>;
  output?: Record<string, Record<string, unknown>>;
  locals?: Record<string, unknown>;
};
