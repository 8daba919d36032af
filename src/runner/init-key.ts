/**
 * What `terraform init` depends on, as one key (pure): the binary, the CLI configuration (where
 * providers come from), the state backend (the document's `backend` block and, for `pg`, the
 * schema and which database), and the providers the document needs (`required_providers`, the
 * `provider` blocks, and the prefixes of its resource and data types, which imply a provider).
 * Nothing else in the document changes what `init` does: two documents with one key initialise
 * the same `.terraform/` and lock file. A document with `module` blocks has no key (modules are
 * installed from their sources; it is always initialised).
 */
import { createHash } from 'node:crypto';
import type { TerraformJson } from '../plan/terraform-json.ts';
import type { StateBackend } from '../settings/runner-settings.ts';

export type InitKeyInput = {
  /** The document as Terraform gets it (with the runner's backend). */
  doc: TerraformJson;
  terraform: { path: string; version: string };
  /** The CLI configuration file's text. */
  cliConfig: string;
  state: StateBackend;
};

export function initKey(input: InitKeyInput): string | undefined {
  const { doc } = input;
  if ((doc as Record<string, unknown>).module !== undefined) return undefined;
  const { backend, required_providers: requiredProviders, required_version: requiredVersion } = doc.terraform ?? {};
  const prefixes = new Set<string>();
  for (const section of [doc.resource, doc.data]) for (const type of Object.keys(section ?? {})) prefixes.add(type.split('_')[0]!);
  const state = input.state.kind === 'pg' ? { kind: 'pg', schema: input.state.schema, database: digest(input.state.databaseUrl) } : { kind: input.state.kind };
  return digest(
    JSON.stringify({
      v: 1,
      terraform: input.terraform,
      cliConfig: digest(input.cliConfig),
      state,
      backend: backend ?? null,
      requiredProviders: requiredProviders ?? null,
      requiredVersion: requiredVersion ?? null,
      providers: Object.keys(doc.provider ?? {}).sort(),
      implied: [...prefixes].sort(),
    }),
  );
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
