/**
 * The webhook door's one pass over a JSON body: it checks the text is JSON (the grammar
 * `JSON.parse` accepts), that its top level is an object, and that it nests no deeper than
 * `maxDepth` — refusing as soon as it goes deeper, before anything is built — and it picks out
 * only the few fields the door routes by (`routingFields` in intake/job-for-delivery.ts). Nothing
 * else of the payload is built: the text itself is what is stored, and each job parses the payload
 * it needs, so at the door `JSON.parse` of the whole body was the largest cost of a delivery after
 * the signature (a 7 KB push builds some 400 strings and objects), and the separate nesting scan
 * before it walked the text a second time.
 *
 * `undefined` means "not a JSON object within the depth" for whatever reason; the caller then
 * finds out which (json-depth.ts, then `JSON.parse`) for its 400's message: that path only ever
 * runs for a body the door refuses, or (if this reader were ever stricter than JSON) for one it
 * parses the old way.
 */

/** Which fields to pick: `true` for a field taken as JSON.parse would give it; an object of such for an object's fields. */
export type FieldSpec = { readonly [name: string]: true | { readonly [name: string]: true } };

/** The picked fields: scalars as `JSON.parse` gives them; an object or array not asked into is an empty one of its kind (its truthiness and type kept). */
export type PickedFields = Record<string, unknown>;

const quote = 0x22;
const backslash = 0x5c;
const comma = 0x2c;
const colon = 0x3a;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const minus = 0x2d;
const zero = 0x30;
const nine = 0x39;
const dot = 0x2e;

/**
 * The rest of a JSON string after its opening quote, the closing quote included: characters other
 * than `"`, `\` and controls (`plain`), or those and the escapes JSON defines (`escaped`), written
 * as "normal* (escape normal*)*", which never backtracks (an escape starts with the one character
 * `normal` excludes). Most strings have no escape: the plain one is tried first.
 */
const plain = /[^"\\\u0000-\u001f]*"/y;
const escaped = /[^"\\\u0000-\u001f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\u0000-\u001f]*)*"/y;

/**
 * The character code at `i`, or -1 past the end. (Never reading past the end keeps the engine's
 * optimised code on its fast path: an out-of-bounds `charCodeAt` makes it call out for every read.)
 */
const code = (text: string, i: number): number => (i < text.length ? text.charCodeAt(i) : -1);

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(text: string, i: number): number {
  while (isSpace(code(text, i))) i++;
  return i;
}

/** Whether the last string `stringEnd` read had an escape in it. */
let hadEscape = false;

/**
 * Where the text's next backslash is, from `backslashFrom` on (-1: none), when the text has no
 * control character at all (else `plainText` is false): then a string without a backslash ends at
 * the next quote, found by the engine's own search, and only a string with one is read by `escaped`.
 */
let plainText = false;
let nextBackslash = -1;

function startText(text: string): void {
  plainText = !controls.test(text);
  nextBackslash = plainText ? text.indexOf('\\') : -1;
}
const controls = /[\u0000-\u001f]/;

/** The index after the string whose opening quote is at `i`, or -1 if it is not a JSON string. */
function stringEnd(text: string, i: number): number {
  if (plainText) {
    const close = text.indexOf('"', i + 1);
    if (close < 0) return -1;
    if (nextBackslash < 0 || nextBackslash > close) {
      hadEscape = false;
      return close + 1;
    }
  } else {
    plain.lastIndex = i + 1;
    if (plain.test(text)) {
      hadEscape = false;
      return plain.lastIndex;
    }
  }
  escaped.lastIndex = i + 1;
  hadEscape = true;
  if (!escaped.test(text)) return -1;
  const end = escaped.lastIndex;
  if (plainText) nextBackslash = text.indexOf('\\', end);
  return end;
}

/** The index after the number starting at `i` (JSON's grammar: no `+`, no leading zeros, digits both sides of `.`), or -1. */
function numberEnd(text: string, i: number): number {
  if (code(text, i) === minus) i++;
  let c = code(text, i);
  if (c === zero) c = code(text, ++i);
  else if (c > zero && c <= nine) {
    do c = code(text, ++i);
    while (c >= zero && c <= nine);
  } else return -1;
  if (c === dot) {
    c = code(text, ++i);
    if (!(c >= zero && c <= nine)) return -1;
    do c = code(text, ++i);
    while (c >= zero && c <= nine);
  }
  if (c === 0x65 || c === 0x45) {
    c = code(text, ++i);
    if (c === 0x2b || c === minus) c = code(text, ++i);
    if (!(c >= zero && c <= nine)) return -1;
    do c = code(text, ++i);
    while (c >= zero && c <= nine);
  }
  return i;
}

/** A string's text (`start` at its opening quote, `end` after its closing one; `escapes`: whether it has any). */
function stringText(text: string, start: number, end: number, escapes: boolean): string {
  return escapes ? (JSON.parse(text.slice(start, end)) as string) : text.slice(start + 1, end - 1);
}

/** The scalar at `start..end` as JSON.parse gives it (a string's escapes: `escapes`). */
function scalar(text: string, start: number, end: number, escapes: boolean): unknown {
  const c = text.charCodeAt(start);
  if (c === quote) return stringText(text, start, end, escapes);
  if (c === 0x74) return true;
  if (c === 0x66) return false;
  if (c === 0x6e) return null;
  return Number(text.slice(start, end));
}

/** The name among `names` of the key at `start..end` (`escapes`: whether it has any), or undefined. */
function fieldOf(text: string, start: number, end: number, escapes: boolean, names: readonly string[]): string | undefined {
  if (escapes) {
    // A key spelled with escapes (`"\u0061ction"`) is still that key.
    const key = stringText(text, start, end, true);
    return names.includes(key) ? key : undefined;
  }
  const length = end - start - 2;
  for (const name of names) {
    if (name.length === length && text.startsWith(name, start + 1)) return name;
  }
  return undefined;
}

const object = 1;
const array = 2;

export function readWebhookJson(text: string, spec: FieldSpec, maxDepth: number): PickedFields | undefined {
  const topNames = Object.keys(spec);
  const fields: PickedFields = {};
  const kinds = new Uint8Array(maxDepth + 1);
  const n = text.length;
  let depth = 0;
  // The value about to be read is the field `field` of `target` (undefined: nothing to pick).
  // `into` is the object being filled at depth 2 (a top-level field asked into), `intoNames` its fields.
  let target: Record<string, unknown> | undefined;
  let field: string | undefined;
  let into: Record<string, unknown> | undefined;
  let intoNames: readonly string[] = [];
  let expectKey = false;

  let i = skipSpace(text, 0);
  if (code(text, i) !== openBrace) return undefined;
  startText(text);
  for (;;) {
    if (expectKey) {
      // A key, its colon, and then its value.
      expectKey = false;
      field = undefined;
      if (code(text, i) !== quote) return undefined;
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      if (depth === 1) {
        field = fieldOf(text, i, end, hadEscape, topNames);
        target = fields;
      } else if (depth === 2 && into !== undefined) {
        field = fieldOf(text, i, end, hadEscape, intoNames);
        target = into;
      }
      i = skipSpace(text, end);
      if (code(text, i) !== colon) return undefined;
      i = skipSpace(text, i + 1);
    }
    // A value starts at i.
    const c = code(text, i);
    if (c === openBrace || c === openBracket) {
      if (++depth > maxDepth) return undefined;
      const isObject = c === openBrace;
      kinds[depth] = isObject ? object : array;
      if (depth === 2) into = undefined;
      if (field !== undefined) {
        const sub = depth === 2 ? spec[field] : true;
        if (isObject && sub !== true && sub !== undefined) {
          into = {};
          intoNames = Object.keys(sub);
          target![field] = into;
        } else target![field] = isObject ? {} : [];
        field = undefined;
      }
      i = skipSpace(text, i + 1);
      if (code(text, i) === (isObject ? closeBrace : closeBracket)) {
        if (depth === 2) into = undefined;
        depth--;
        i++;
      } else {
        expectKey = isObject;
        continue;
      }
    } else {
      const start = i;
      if (c === quote) i = stringEnd(text, i);
      else if (c === 0x74) i = text.startsWith('true', i) ? i + 4 : -1;
      else if (c === 0x66) i = text.startsWith('false', i) ? i + 5 : -1;
      else if (c === 0x6e) i = text.startsWith('null', i) ? i + 4 : -1;
      else i = numberEnd(text, i);
      if (i < 0) return undefined;
      if (field !== undefined) {
        target![field] = scalar(text, start, i, c === quote && hadEscape);
        field = undefined;
      }
    }
    // After a value: a comma and the next member, or the end of containers.
    for (;;) {
      i = skipSpace(text, i);
      if (depth === 0) return i === n ? fields : undefined;
      const d = code(text, i);
      if (d === comma) {
        i = skipSpace(text, i + 1);
        expectKey = kinds[depth] === object;
        break;
      }
      if (d !== (kinds[depth] === object ? closeBrace : closeBracket)) return undefined;
      if (depth === 2) into = undefined;
      depth--;
      i++;
    }
  }
}
