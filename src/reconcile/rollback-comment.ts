/**
 * `/slipway rollback [environment]` on a pull request: a person with write or admin access (asked
 * of GitHub, never inferred from the payload) rolls every app of the repository deployed to that
 * environment back to its last good deployment, through rollBack (the one implementation
 * `slipway rollback` uses). The answer is a comment on the pull request, and the request and its
 * outcome go to the audit log.
 */
import { getPermission } from '../github/index.ts';
import { parseRollbackCommand } from '../rollback/parse-rollback-command.ts';
import { rollBack } from '../rollback/roll-back.ts';
import { RollbackRefused } from '../rollback/rollback-refused.ts';
import { writeAudit } from '../store/audit-log.ts';
import { appEnvironmentsOfRepository } from '../store/rollback-targets.ts';
import type { EventPayload } from './parse-event.ts';
import { repositoryContext } from './repository-context.ts';
import type { Outcome, WebhookContext } from './webhook-context.ts';

export async function rollbackFromComment(ctx: WebhookContext, event: EventPayload<'issue_comment'>): Promise<Outcome> {
  const command = parseRollbackCommand(event.comment.body);
  if (!command) return 'ignored: no rollback command';
  const repo = await repositoryContext(ctx, event);
  const user = event.comment.user!.login;
  const number = event.issue.number;
  const db = ctx.deps.store.db;
  const reply = async (body: string) => {
    await repo.octokit.rest.issues.createComment({ owner: repo.owner, repo: repo.repo, issue_number: number, body });
  };
  if ('error' in command) {
    await reply(`@${user} ${command.error}. Write \`/slipway rollback\` or \`/slipway rollback staging\`.`);
    return `refused: ${command.error}`;
  }
  const permission = await getPermission(repo.octokit, repo.owner, repo.repo, user);
  if (permission !== 'write' && permission !== 'admin') {
    await writeAudit(db, { actor: user, action: 'rollback.refused', subject: `${repo.fullName}#${number}`, details: { environment: command.environment, permission } });
    await reply(`@${user} a rollback needs write access to ${repo.fullName}; you have ${permission}.`);
    return `refused: ${user} has ${permission} access, a rollback needs write`;
  }
  const where = await appEnvironmentsOfRepository(db, { repositoryId: repo.repositoryId, environment: command.environment });
  if (where.length === 0) {
    await reply(`@${user} nothing of ${repo.fullName} is deployed to ${command.environment}: nothing to roll back.`);
    return `nothing deployed to ${command.environment}`;
  }
  if (!ctx.deps.runner) {
    await reply(`@${user} this Slipway has no Terraform runner: it cannot roll back. \`slipway rollback <app> --env ${command.environment}\` does it from a machine with Terraform.`);
    return 'refused: no Terraform runner';
  }
  const lines: string[] = [];
  for (const app of where) {
    try {
      const outcome = await rollBack(
        { db, runner: ctx.deps.runner, log: ctx.deps.log },
        { where: app, actor: `github:${user}`, reason: `/slipway rollback by @${user} on ${repo.fullName}#${number}`, ...(ctx.signal ? { signal: ctx.signal } : {}) },
      );
      const { result, target } = outcome;
      lines.push(
        `- **${app.app}** (${app.environment}): rollback to deployment ${target.id} (commit ${target.commitSha.slice(0, 7)}) ${result.status}${result.reason ? ` (${result.reason})` : ''}${result.failure ? `: ${result.failure.message}` : ''}` +
          (outcome.held ? `; commit ${outcome.held.slice(0, 7)} is held: auto deploys skip it until a newer commit lands` : '') +
          ` — \`slipway logs ${result.deploymentId}\``,
      );
    } catch (error) {
      if (!(error instanceof RollbackRefused)) throw error;
      lines.push(`- **${app.app}** (${app.environment}): not rolled back: ${error.message}`);
    }
  }
  await writeAudit(db, { actor: user, action: 'rollback', subject: `${repo.fullName}#${number}`, details: { environment: command.environment, outcome: lines } });
  await reply(`@${user} asked to roll back ${command.environment}:\n\n${lines.join('\n')}`);
  return `rollback by ${user} of ${command.environment}: ${where.length} app(s)`;
}
