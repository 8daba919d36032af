/**
 * `slipway logs <deployment>`: what Terraform printed during a deployment (as stored: redacted and
 * bounded), after a header saying what it deployed and how it ended.
 */
import type { CliIo } from './io.ts';
import { openCliStore } from './open-cli-store.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const usage = `Usage: slipway logs <deployment>

Prints a deployment's log (ids: slipway deployments).
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('logs', args, {}, usage, io);
  if (typeof parsed === 'number') return parsed;
  const [idArg, extra] = parsed.positionals;
  if (idArg === undefined || extra !== undefined || !/^[1-9]\d{0,15}$/.test(idArg)) {
    io.stderr(`slipway logs: ${idArg === undefined ? 'which deployment?' : extra !== undefined ? `unexpected argument "${extra}"` : `"${idArg}" is not a deployment id (a number)`}\n${usage}`);
    return 2;
  }
  const [{ findDeployment }, { readDeploymentLog }] = await Promise.all([
    import('../store/deployment-runs.ts'),
    import('../store/deployment-logs.ts'),
  ]);
  const store = await openCliStore('logs', io);
  if (!store) return 1;
  try {
    const id = Number(idArg);
    const deployment = await findDeployment(store.db, id);
    if (!deployment) {
      io.stderr(`slipway logs: no deployment ${id}\n`);
      return 1;
    }
    const { app, environment, repository, commitSha, status, failure } = deployment;
    io.stdout(`deployment ${id}: ${repository} ${app} · ${environment} at ${commitSha.slice(0, 12)}: ${status}\n`);
    if (failure) io.stdout(`${failure.step} failed${failure.address ? ` at ${failure.address}` : ''}: ${failure.message}\n`);
    const chunks = await readDeploymentLog(store.db, id);
    if (chunks.length === 0) io.stdout('(no log: the runner has not run it)\n');
    let step = '';
    for (const chunk of chunks) {
      if (chunk.step !== step) io.stdout(`--- ${(step = chunk.step)}\n`);
      io.stdout(`${chunk.text}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
