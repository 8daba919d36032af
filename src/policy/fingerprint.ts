/**
 * A stable, short hash of a failing result: rule id + the resources at fault + the facts that made
 * them fail (sorted, so ordering in the Terraform document does not matter). An approval names the
 * fingerprint it was given for; a push that changes any of these facts changes the fingerprint and
 * so lifts that approval, while a push that leaves the result alone keeps it.
 * cyrb53 (public domain): pure JS so it runs wherever the core runs (Node, Workers).
 */
export function fingerprint(ruleId: string, faults: { resource: string; facts: string }[]): string {
  const lines = faults.map((fault) => `${fault.resource}\u0000${fault.facts}`).sort();
  return hash53(`${ruleId}\u0001${lines.join('\u0001')}`);
}

function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return ((h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0')).slice(0, 16);
}
