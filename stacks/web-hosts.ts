/**
 * Where a web service answers, known before any resource exists (other services' `env:` may
 * reference `web.url`), and its listener rule priorities. No provider imports: the app stack uses
 * these without loading the web service construct.
 */
import type { WebService as WebServiceConfig } from '../src/config/schema.ts';
import type { AppContext, ComponentRef } from './app-context.ts';
import { fnv1a } from './naming.ts';

/** Listener rule priorities are 1..50000 and unique per listener, which every app shares. */
const priorityRange = 49_000;

/** The host names a web service answers on: its `domains:`, or `<service>.<app>.<env>.<baseDomain>`. */
export function webHosts(component: string, service: WebServiceConfig, ctx: Pick<AppContext, 'app' | 'environment' | 'baseDomain'>): string[] {
  if (service.domains && service.domains.length > 0) return service.domains;
  return [`${component}.${ctx.app}.${ctx.environment}.${ctx.baseDomain}`];
}

/** The component a web service offers to `env:` (`web.url`), known before it is built. */
export function webServiceRef(component: string, service: WebServiceConfig, ctx: AppContext): ComponentRef {
  return { name: component, type: 'web', outputs: { url: { kind: 'value', value: `https://${webHosts(component, service, ctx)[0]}` } } };
}

/** A listener rule holds at most five host names (an AWS limit on conditions); more need more rules. */
export const hostsPerRule = 5;

/**
 * Listener rule priorities for every rule of one app stack, keyed `<component>#<index>`: unique
 * within the stack, and the same on every synthesis of the same services.
 *
 * Each rule's home slot is a stable hash of app/environment/service (+ the rule's index), so a
 * redeploy never reshuffles rules and an app's rules spread over the whole range. Homes collide
 * (40 services: about 2 % odds; 1,000: about ten pairs), and AWS refuses a second rule with the
 * same priority on a listener, so collisions are resolved by open addressing:
 *  1. every home slot goes to the rule with the smallest key among those hashed to it;
 *  2. the other rules, in order of (home, key), take the next slot up (wrapping) that is nobody's
 *     home and not yet taken.
 * Trade-off: a rule that holds its home keeps it whatever is added, unless a new service hashes to
 * the same home with a smaller key; a displaced rule may move when services are added or removed.
 * Remembering earlier assignments would avoid even that, but synthesis is pure (config in, JSON
 * out) and a priority change is an in-place update of the rule, so rare moves are the price.
 * Uniqueness holds within one app and environment; rules of different apps on the shared listener
 * can still collide (about 1 in 49,000 per pair of rules), which AWS reports at apply time.
 */
export function listenerPriorities(ctx: Pick<AppContext, 'app' | 'environment'>, rules: Array<{ component: string; count: number }>): Map<string, number> {
  const homes = new Map<string, number>();
  for (const { component, count } of rules) {
    const hash = fnv1a(`${ctx.app}/${ctx.environment}/${component}`);
    for (let index = 0; index < count; index++) homes.set(`${component}#${index}`, 1 + ((hash + index) % priorityRange));
  }
  if (homes.size > priorityRange) throw new RangeError(`${homes.size} listener rules; a listener takes at most ${priorityRange}`);
  const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const keys = [...homes.keys()].sort(byKey);
  const taken = new Set<number>();
  const priorities = new Map<string, number>();
  const displaced: string[] = [];
  for (const key of keys) {
    const home = homes.get(key)!;
    if (taken.has(home)) displaced.push(key);
    else {
      taken.add(home);
      priorities.set(key, home);
    }
  }
  displaced.sort((a, b) => homes.get(a)! - homes.get(b)! || byKey(a, b));
  for (const key of displaced) {
    let slot = homes.get(key)!;
    while (taken.has(slot)) slot = (slot % priorityRange) + 1;
    taken.add(slot);
    priorities.set(key, slot);
  }
  return priorities;
}

/** The priority of a web service's `index`-th listener rule (see `listenerPriorities`). */
export function listenerPriority(ctx: Pick<AppContext, 'listenerPriorities'>, component: string, index: number): number {
  const priority = ctx.listenerPriorities.get(`${component}#${index}`);
  if (priority === undefined) throw new RangeError(`no listener priority was set aside for ${component} rule ${index}`);
  return priority;
}

/** How many listener rules a web service needs: one per `hostsPerRule` host names. */
export function listenerRuleCount(component: string, service: WebServiceConfig, ctx: Pick<AppContext, 'app' | 'environment' | 'baseDomain'>): number {
  return Math.ceil(webHosts(component, service, ctx).length / hostsPerRule);
}
