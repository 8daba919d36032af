// Debian's Chromium (/usr/bin/chromium, installed by test/prerequisites.mjs) driven by
// playwright-core: headless, no sandbox (tests may run as root), no background networking (it
// only ever talks to loopback servers). One browser per test file; a fresh context per person.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const chromiumPath = process.env.SLIPWAY_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-default-apps', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export type AxeViolation = { id: string; impact: string; help: string; nodes: Array<{ target: string[] }> };

/** axe-core's WCAG 2 A/AA checks on the page as it is; the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which a page's Content-Security-Policy does not govern
  // (a <script> tag would be refused by the dashboard's `script-src 'self'`).
  await page.evaluate(readFileSync(axeSource, 'utf8'));
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as any).axe.run((globalThis as any).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n: any) => ({ target: n.target })) }));
  });
  return (violations as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Screenshots go under the test's output folder: test-output/<name>/ (git-ignored). */
export async function screenshot(page: Page, folder: string, name: string): Promise<void> {
  const dir = join(process.cwd(), 'test-output', folder);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
