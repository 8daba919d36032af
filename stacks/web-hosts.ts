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

/**
 * A stable listener priority per app, environment and service, so that redeploying never
 * reshuffles rules. Two services landing on the same number is possible but unlikely; AWS then
 * refuses the second rule at apply time with a clear message.
 */
export function listenerPriority(ctx: Pick<AppContext, 'app' | 'environment'>, component: string, index: number): number {
  return 1 + ((fnv1a(`${ctx.app}/${ctx.environment}/${component}`) + index) % priorityRange);
}

