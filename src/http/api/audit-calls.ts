/**
 * Every mutating API call (anything but GET, HEAD and OPTIONS) is written to the audit log once
 * it is answered, refused ones included: the actor (the token, or `anonymous`), the client's
 * address, the action and resource the route named (or the method and path when the request never
 * reached a route), and the result from the status: 2xx ok, 401/403/429 denied, another 4xx
 * invalid, 5xx failed. Never a body or a token.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { Db } from '../../store/db.ts';
import { writeAudit } from '../../store/audit-log.ts';
import type { AuditResult } from '../../store/schema.ts';
import type { LogFields } from '../../ops/log-fields.ts';
import { actorOf } from '../../tokens/token-access.ts';
import type { ApiVariables } from './authenticate.ts';

export type AuditDeps = {
  db: Db;
  clientAddress: (c: Context) => string | undefined;
  log: (message: string, fields?: LogFields) => void;
  onStoreError?: () => void;
};

const reads = new Set(['GET', 'HEAD', 'OPTIONS']);

export function auditCalls(deps: AuditDeps): MiddlewareHandler<{ Variables: ApiVariables }> {
  return async (c, next) => {
    if (reads.has(c.req.method)) return next();
    await next();
    const status = c.res.status;
    const named = c.get('audit');
    const reason = status >= 400 ? await errorOf(c.res) : undefined;
    try {
      await writeAudit(deps.db, {
        actor: actorOf(c.get('access')),
        source: deps.clientAddress(c) ?? null,
        action: named?.action ?? `${c.req.method} ${c.req.path.slice(0, 200)}`,
        subject: named?.subject ?? null,
        result: resultOf(status),
        details: { status, ...(reason ? { reason } : {}), ...named?.details },
      });
    } catch (error) {
      // The answer is already decided; an audit write that fails is loud in the log and metrics.
      deps.onStoreError?.();
      deps.log(`api: could not write the audit entry for ${c.req.method} ${c.req.path}: ${(error as Error).message}`, { level: 'error' });
    }
  };
}

function resultOf(status: number): AuditResult {
  if (status < 400) return 'ok';
  if (status === 401 || status === 403 || status === 429) return 'denied';
  return status < 500 ? 'invalid' : 'failed';
}

/** The refusal's one-line reason (our own error body), bounded. */
async function errorOf(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.clone().json()) as { error?: unknown };
    return typeof body.error === 'string' ? body.error.slice(0, 300) : undefined;
  } catch {
    return undefined;
  }
}
