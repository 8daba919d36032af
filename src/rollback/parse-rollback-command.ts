/**
 * `/slipway rollback [environment]` in a comment: on a line of its own, outside code fences and
 * quotes (a quoted command is someone else's). The environment defaults to production and must be
 * a paas.yaml environment name; anything else on the line is refused with a reason.
 */
import { Name } from '../config/schema.ts';

export type RollbackCommand = { environment: string } | { error: string };

const line = /^\s*\/slipway\s+rollback\b(.*)$/;

export function parseRollbackCommand(body: string): RollbackCommand | null {
  let fenced = false;
  for (const text of body.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(text)) {
      fenced = !fenced;
      continue;
    }
    if (fenced || /^\s*>/.test(text)) continue;
    const match = line.exec(text);
    if (!match) continue;
    const words = match[1]!.trim().split(/\s+/).filter(Boolean);
    if (words.length > 1) return { error: `\`/slipway rollback\` takes one environment at most, got "${match[1]!.trim()}"` };
    const environment = words[0] ?? 'production';
    if (!Name.safeParse(environment).success) return { error: `"${environment.slice(0, 40)}" is not an environment name (lowercase letters, digits and "-")` };
    return { environment };
  }
  return null;
}
