/**
 * The Terraform CLI configuration the runner's processes use (TF_CLI_CONFIG_FILE). The operator's
 * own (`SLIPWAY_TERRAFORM_CONFIG`: a `provider_installation` block with a `filesystem_mirror` for
 * hosts without a registry, see docs/runner.md) when given; else a file of the runner's own, never
 * whatever TF_CLI_CONFIG_FILE or ~/.terraformrc happen to hold on the host (a missing one makes
 * every command print a warning).
 */
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerError } from './runner-error.ts';

// The plugin cache is shared by every work folder (TF_PLUGIN_CACHE_DIR). Without this setting,
// Terraform ≥ 1.4 ignores the cache for a provider the folder's lock file does not list yet, so
// each new app would download the AWS provider (hundreds of MB) again.
const ownConfig = `# Written by Slipway's Terraform runner; set SLIPWAY_TERRAFORM_CONFIG to use a file of your own.
plugin_cache_may_break_dependency_lock_file = true
`;

export function cliConfigFile(root: string, operatorFile: string | undefined): string {
  if (operatorFile) {
    try {
      accessSync(operatorFile, constants.R_OK);
    } catch (error) {
      throw new RunnerError('cli_config_unreadable', `SLIPWAY_TERRAFORM_CONFIG=${operatorFile} cannot be read`, { cause: error });
    }
    return operatorFile;
  }
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const file = join(root, 'terraformrc');
  writeFileSync(file, ownConfig, { mode: 0o600 });
  return file;
}
