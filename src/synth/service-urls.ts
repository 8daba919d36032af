/**
 * The public URL of each web service and static site with domains, as synthesis will route them:
 * what a deployment status or PR comment links to. Static sites without domains are left out:
 * their CloudFront host name only exists after apply.
 */
import type { ResolvedConfig } from '../config/schema.ts';
import { webHosts } from '../../stacks/web-hosts.ts';

export function serviceUrls(config: ResolvedConfig, options: { baseDomain?: string } = {}): Record<string, string> {
  const ctx = { app: config.name, environment: config.environment, baseDomain: options.baseDomain ?? 'slipway.internal' };
  const urls: Record<string, string> = {};
  for (const [name, service] of Object.entries(config.services)) {
    if (service.type === 'web') urls[name] = `https://${webHosts(name, service, ctx)[0]}`;
    else if (service.type === 'static' && service.domains && service.domains.length > 0) urls[name] = `https://${service.domains[0]}`;
  }
  return urls;
}
