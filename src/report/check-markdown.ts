/**
 * Structural well-formedness of the markdown we post: every code fence closed (CommonMark: a
 * closing fence uses the same character and is at least as long), and outside code, every
 * `<details>` and `<summary>` closed in order. Returns the problems; empty means well formed.
 */
export function checkMarkdown(markdown: string): string[] {
  const problems: string[] = [];
  let open: { char: string; length: number; line: number } | undefined;
  const stack: { tag: string; line: number }[] = [];
  const lines = markdown.split('\n');
  lines.forEach((text, index) => {
    const line = index + 1;
    const fenceMatch = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(text);
    if (open) {
      if (fenceMatch && fenceMatch[1][0] === open.char && fenceMatch[1].length >= open.length && fenceMatch[2].trim() === '') open = undefined;
      return;
    }
    if (fenceMatch && !(fenceMatch[1][0] === '`' && fenceMatch[2].includes('`'))) {
      open = { char: fenceMatch[1][0], length: fenceMatch[1].length, line };
      return;
    }
    // Inline code spans may mention tags; strip them before looking.
    const outside = text.replace(/(`+)(?:(?!\1).)*?\1/g, '');
    for (const match of outside.matchAll(/<(\/?)(details|summary)\b[^>]*>/gi)) {
      const tag = match[2].toLowerCase();
      if (match[1] === '') stack.push({ tag, line });
      else {
        const top = stack.pop();
        if (!top) problems.push(`line ${line}: </${tag}> without an opening tag`);
        else if (top.tag !== tag) problems.push(`line ${line}: </${tag}> closes <${top.tag}> opened on line ${top.line}`);
      }
    }
  });
  if (open) problems.push(`line ${open.line}: code fence never closed`);
  for (const tag of stack) problems.push(`line ${tag.line}: <${tag.tag}> never closed`);
  return problems;
}

/** True when `checkMarkdown` finds nothing. */
export function isWellFormedMarkdown(markdown: string): boolean {
  return checkMarkdown(markdown).length === 0;
}
