/**
 * How deeply a JSON text nests, found by one pass over it before anything parses it: `JSON.parse`
 * of 1,000,000 nested arrays builds that deep an object graph, and the embedded database's jsonb
 * parser crashed on 100,000 nested objects (issue 13, row 3), which stalled the spool. GitHub's
 * payloads nest about ten levels; `maxWebhookDepth` leaves a wide margin.
 */

/** Deeper than this is refused at the webhook door (400): GitHub never sends such a payload. */
export const maxWebhookDepth = 100;

const quote = 0x22;
const backslash = 0x5c;
const open = new Uint8Array(128);
open[0x7b] = 1; // {
open[0x5b] = 1; // [
const close = new Uint8Array(128);
close[0x7d] = 1; // }
close[0x5d] = 1; // ]

/** True when `text` has brackets nested deeper than `max` (strings skipped; the text need not be valid JSON). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === quote) {
      // Skip the string to its closing quote: the next quote not preceded by an odd number of
      // backslashes, found by the engine's own search (most of a payload's text is in strings).
      let end = i;
      for (;;) {
        end = text.indexOf('"', end + 1);
        if (end < 0) return false; // unterminated: JSON.parse refuses it
        let slashes = 0;
        while (end - 1 - slashes > i && text.charCodeAt(end - 1 - slashes) === backslash) slashes++;
        if (slashes % 2 === 0) break;
      }
      i = end;
    } else if (c < 128 && open[c]) {
      if (++depth > max) return true;
    } else if (c < 128 && close[c]) {
      depth--;
    }
  }
  return false;
}
