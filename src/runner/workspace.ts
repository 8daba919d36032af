/**
 * A Terraform workspace: one app in one environment. Its name keys the work folder, the deploy
 * lock and the `pg` backend's workspace. Like the S3 state key the stacks synthesize
 * (`<app>/<environment>/terraform.tfstate`), it is made of the app's and environment's names,
 * which paas.yaml restricts to `[a-z][a-z0-9-]*`, so it is safe in a path and `.` cannot occur
 * in either part.
 */
export type Workspace = { app: string; environment: string };

const namePattern = /^[a-z][a-z0-9-]{0,62}$/;

export function workspaceName(workspace: Workspace): string {
  for (const part of [workspace.app, workspace.environment]) {
    // Names come from a validated paas.yaml; anything else here is a caller's bug, not user input.
    if (!namePattern.test(part)) throw new TypeError(`not a valid app or environment name for a workspace: ${JSON.stringify(part)}`);
  }
  return `${workspace.app}.${workspace.environment}`;
}
