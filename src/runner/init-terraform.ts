import { runTerraform, type TerraformCall, type TerraformRun } from './run-terraform.ts';

/**
 * `terraform init` in the work folder. `-reconfigure`: the backend comes from the server's
 * settings, which may have changed since the folder was last initialised; state is never migrated
 * from one backend to another behind the operator's back (docs/runner.md says how to move it).
 * Text output: `init -json` is not in every version the runner accepts.
 *
 * With the `pg` backend, `init` refuses a TF_WORKSPACE that does not exist yet once the schema
 * holds any other workspace, so it runs in `default` (which always exists), and
 * `workspace select -or-create` then makes sure the app's own exists; plan and apply use it
 * through TF_WORKSPACE.
 */
export async function initTerraform(call: TerraformCall): Promise<TerraformRun> {
  const workspace = call.env.TF_WORKSPACE;
  if (workspace === undefined) return runTerraform(call, 'init', ['init', '-input=false', '-no-color', '-reconfigure']);
  const { TF_WORKSPACE: _, ...selectable } = call.env;
  const init = await runTerraform({ ...call, env: { ...call.env, TF_WORKSPACE: 'default' } }, 'init', ['init', '-input=false', '-no-color', '-reconfigure']);
  if (!init.ok) return init;
  return runTerraform({ ...call, env: selectable }, 'init', ['workspace', 'select', '-or-create=true', '-no-color', workspace]);
}
