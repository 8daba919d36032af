/**
 * The environment a Terraform process starts with, and the values in it that must never be
 * stored. Terraform gets the process's environment (the cloud credentials it deploys with) minus
 * Slipway's own secrets and the variables that would change what the runner asked for, plus the
 * runner's settings: its CLI configuration, the shared plugin cache, and for the `pg` backend the
 * connection (through PG_CONN_STR, so it is never written to the work folder).
 */
import type { StateBackend } from '../settings/runner-settings.ts';

export type TerraformEnvironmentInput = {
  base: Record<string, string | undefined>;
  cliConfigFile: string;
  pluginCacheDir: string;
  state: StateBackend;
  /** The `pg` backend's workspace. */
  workspace: string;
};

// Slipway's own settings: the App's key, the webhook secret, its database.
const slipwayOwn = /^(PRIVATE_KEY|PRIVATE_KEY_PATH|WEBHOOK_SECRET|DATABASE_URL|APP_ID|SLIPWAY_.*)$/;
// Would override what the runner passes: extra arguments, another data folder or workspace.
const overriding = /^(TF_CLI_ARGS.*|TF_DATA_DIR|TF_WORKSPACE|TF_CLI_CONFIG_FILE|TF_PLUGIN_CACHE_DIR|TF_INPUT|PG_CONN_STR|PG_SCHEMA_NAME)$/;
/** Names whose values are secrets wherever they appear. */
export const secretName = /(SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|ACCESS_KEY|API_?KEY|SESSION|AUTH|CONN_STR|DATABASE_URL|_KEY$|^KEY$)/i;

export function terraformEnvironment(input: TerraformEnvironmentInput): { env: Record<string, string>; secrets: string[] } {
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(input.base)) {
    if (value === undefined) continue;
    if (secretName.test(name)) secrets.push(value); // also the ones left out: they may be echoed some other way
    if (slipwayOwn.test(name) || overriding.test(name)) continue;
    env[name] = value;
  }
  Object.assign(env, {
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    // No call to checkpoint-api.hashicorp.com on every command (offline hosts wait for it to time out).
    CHECKPOINT_DISABLE: '1',
    TF_CLI_CONFIG_FILE: input.cliConfigFile,
    TF_PLUGIN_CACHE_DIR: input.pluginCacheDir,
  });
  if (input.state.kind === 'pg') {
    env.PG_CONN_STR = input.state.databaseUrl;
    env.PG_SCHEMA_NAME = input.state.schema;
    // One workspace per app and environment; the pg backend creates it on first use.
    env.TF_WORKSPACE = input.workspace;
    secrets.push(input.state.databaseUrl, ...passwordOf(input.state.databaseUrl));
  }
  return { env, secrets };
}

function passwordOf(url: string): string[] {
  try {
    const password = new URL(url).password;
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    return [];
  }
}
