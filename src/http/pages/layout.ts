/**
 * The one page frame every server-rendered page uses (set-up and dashboard): semantic landmarks, a
 * skip link, a visible focus ring and colours with at least 4.5:1 contrast, no web fonts, no
 * framework, and no script a page needs to be read. `hono/html` escapes every interpolated value.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

// Colours checked for contrast against their backgrounds (text #1b1f24 on #fff: 16:1; links
// #0550ae on #fff: 7.6:1; muted #57606a on #fff: 6.1:1; the status colours' text on their tints ≥ 4.5:1).
const css = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1b1f24;background:#fff}
a{color:#0550ae}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid #0969da;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:1}
header{display:flex;gap:16px;align-items:center;justify-content:space-between;padding:8px 24px;border-bottom:1px solid #d0d7de}
header a.brand{font-weight:700;text-decoration:none;color:#1b1f24}header nav{display:flex;gap:16px;align-items:center}
main{padding:16px 24px;max-width:1200px}h1{font-size:1.5rem;margin:8px 0 16px}h2{font-size:1.2rem;margin:24px 0 8px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #d0d7de;vertical-align:top}
th{font-weight:600}caption{text-align:left;font-weight:600;padding:4px 0}
.muted{color:#57606a}code,pre{font-family:ui-monospace,monospace;font-size:.875rem}
pre{background:#f6f8fa;padding:12px;overflow:auto;white-space:pre-wrap;word-break:break-word}
.status{display:inline-block;padding:0 8px;border-radius:12px;font-size:.875rem;background:#eaeef2;color:#1b1f24}
.status-succeeded{background:#dafbe1;color:#116329}.status-failed,.status-interrupted{background:#ffebe9;color:#a40e26}
.status-applying,.status-planning,.status-queued{background:#fff8c5;color:#6c4400}
label{display:block;font-weight:600;margin-top:12px}input[type=text],input[type=url],input[type=password],select{font:inherit;padding:6px 8px;border:1px solid #6e7781;border-radius:6px;min-width:320px}
fieldset{border:1px solid #d0d7de;border-radius:6px;margin-top:12px}fieldset label{display:inline;font-weight:400}
button{font:inherit;padding:6px 16px;margin-top:16px;border-radius:6px;border:1px solid #1f6f3a;background:#1f883d;color:#fff;cursor:pointer}
button.secondary{background:#f6f8fa;color:#1b1f24;border-color:#6e7781}
.error{border-left:4px solid #a40e26;padding:8px 12px;background:#ffebe9}
`;

export function page(input: { title: string; body: Markup; nav?: Markup; head?: Markup }): Markup {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title} · Slipway</title>
<style>${raw(css)}</style>
${input.head ?? ''}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><a class="brand" href="/dashboard">Slipway</a>${input.nav ?? ''}</header>
<main id="main" tabindex="-1">
${input.body}
</main>
</body>
</html>`;
}
