/**
 * Secret values out of everything the runner stores or prints: each known value (and the forms
 * it takes inside JSON strings and URLs) becomes `***`. Values shorter than `minLength` are left
 * alone: replacing every "true" or "80" would wreck the log and protect nothing.
 */
export type Redactor = {
  add: (values: Iterable<string>) => void;
  redact: (text: string) => string;
};

export const minLength = 4;
export const mask = '***';

export function createRedactor(values: Iterable<string> = []): Redactor {
  const known = new Set<string>();
  let ordered: string[] = [];
  const add = (candidates: Iterable<string>) => {
    let changed = false;
    for (const value of candidates) {
      for (const form of formsOf(value)) {
        if (form.length < minLength || known.has(form)) continue;
        known.add(form);
        changed = true;
      }
    }
    // Longest first, so a secret that contains another is masked whole.
    if (changed) ordered = [...known].sort((a, b) => b.length - a.length);
  };
  add(values);
  return {
    add,
    redact(text) {
      let out = text;
      for (const value of ordered) if (out.includes(value)) out = out.replaceAll(value, mask);
      return out;
    },
  };
}

function formsOf(value: string): string[] {
  const forms = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)];
  // Multi-line values (keys, certificates) are matched line by line: logs are written in lines.
  if (value.includes('\n')) forms.push(...value.split('\n').map((line) => line.trim()));
  return forms;
}
