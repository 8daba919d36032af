/**
 * The document Terraform is given: the synthesized one with its backend chosen by the server
 * setting. `stack` keeps what the stacks synthesize (S3, one key per app and environment, with
 * S3's own lock file); `pg` puts state in Postgres (connection and schema come from the
 * environment: PG_CONN_STR, PG_SCHEMA_NAME; the workspace from TF_WORKSPACE); `local` keeps it
 * in the work folder (tests, trials).
 */
import type { StateBackend } from '../settings/runner-settings.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';

export function withStateBackend(doc: TerraformJson, state: StateBackend): TerraformJson {
  if (state.kind === 'stack') return doc;
  const backend: Record<string, Record<string, unknown>> = state.kind === 'pg' ? { pg: {} } : { local: { path: 'terraform.tfstate' } };
  return { ...doc, terraform: { ...doc.terraform, backend } };
}
