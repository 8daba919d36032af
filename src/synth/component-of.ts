/**
 * Which paas.yaml service or resource a Terraform block belongs to: its `slipway:component` tag,
 * or else the component segment of its CDKTF path (`<app>/<component>/<thing>`). Construct ids
 * starting with `_` (the platform lookups) belong to no component. Cost, plan and policy use this
 * to group resources.
 */
export function componentOf(block: unknown): string | undefined {
  if (block === null || typeof block !== 'object') return undefined;
  const tags = (block as { tags?: unknown }).tags;
  if (tags && typeof tags === 'object') {
    const tag = (tags as Record<string, unknown>)['slipway:component'];
    if (typeof tag === 'string' && tag.length > 0) return tag;
  }
  const path = (block as { '//'?: { metadata?: { path?: unknown } } })['//']?.metadata?.path;
  if (typeof path !== 'string') return undefined;
  const segments = path.split('/');
  if (segments.length < 3) return undefined;
  const component = segments[1];
  return component.startsWith('_') || component.length === 0 ? undefined : component;
}
