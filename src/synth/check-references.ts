/**
 * Internal consistency of a Terraform JSON document: every `${aws_x.y…}`, `${data.aws_x.y…}` and
 * `${var.x}` inside an expression, every `depends_on` entry and every `provider = "aws.alias"`
 * names something the document defines. Terraform would say the same at plan time; saying it at
 * synthesis turns a broken construct into a failing test instead of a failed deployment.
 */
import type { TerraformJson } from '../plan/terraform-json.ts';

const referencePattern = /(?<![\w.$])(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z_][\w-]*)|(?<![\w.$])var\.([A-Za-z_][\w-]*)/g;

/** The `${…}` expressions of a string, skipping escaped `$${`, with nested braces balanced. */
export function expressionsOf(text: string): string[] {
  const out: string[] = [];
  let index = text.indexOf('${');
  while (index !== -1) {
    if (index > 0 && text[index - 1] === '$') {
      index = text.indexOf('${', index + 2);
      continue;
    }
    let depth = 0;
    let end = index + 1;
    for (; end < text.length; end++) {
      if (text[end] === '{') depth++;
      else if (text[end] === '}' && --depth === 0) break;
    }
    out.push(text.slice(index + 2, end));
    index = text.indexOf('${', end);
  }
  return out;
}

export function checkReferences(doc: TerraformJson): string[] {
  const problems: string[] = [];
  const resources = doc.resource ?? {};
  const data = doc.data ?? {};
  const variables = doc.variable ?? {};
  const aliases = new Set(
    Object.entries(doc.provider ?? {}).flatMap(([name, configs]) => configs.map((config) => (typeof config.alias === 'string' ? `${name}.${config.alias}` : name))),
  );
  const exists = (isData: boolean, type: string, name: string): boolean => Object.hasOwn((isData ? data : resources)[type] ?? {}, name);

  const checkExpression = (expression: string, where: string): void => {
    for (const match of expression.matchAll(referencePattern)) {
      if (match[4] !== undefined) {
        if (!Object.hasOwn(variables, match[4])) problems.push(`${where}: var.${match[4]} is not declared`);
      } else if (!exists(match[1] !== undefined, match[2], match[3])) {
        problems.push(`${where}: ${match[0]} does not exist`);
      }
    }
  };
  // Problems name the block and its top-level attribute; building a full path for every leaf
  // would cost more than the check itself.
  const walk = (value: unknown, where: string): void => {
    if (typeof value === 'string') {
      if (value.includes('${')) for (const expression of expressionsOf(value)) checkExpression(expression, where);
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item, where);
    } else if (value !== null && typeof value === 'object') {
      for (const key in value) if (key !== '//') walk((value as Record<string, unknown>)[key], where);
    }
  };
  const walkAttributes = (body: Record<string, unknown>, address: string): void => {
    for (const key in body) if (key !== '//' && key !== 'depends_on') walk(body[key], `${address}.${key}`);
  };
  const checkBlock = (address: string, body: Record<string, unknown>): void => {
    walkAttributes(body, address);
    const dependsOn = body.depends_on;
    if (Array.isArray(dependsOn)) {
      for (const dependency of dependsOn) {
        const parts = String(dependency).split('.');
        const isData = parts[0] === 'data';
        const [type, name] = isData ? parts.slice(1) : parts;
        if (!exists(isData, type, name)) problems.push(`${address}.depends_on: ${dependency} does not exist`);
      }
    }
    if (typeof body.provider === 'string' && !aliases.has(body.provider)) problems.push(`${address}.provider: ${body.provider} is not configured`);
  };

  for (const [type, blocks] of Object.entries(resources)) for (const [name, body] of Object.entries(blocks)) checkBlock(`${type}.${name}`, body);
  for (const [type, blocks] of Object.entries(data)) for (const [name, body] of Object.entries(blocks)) checkBlock(`data.${type}.${name}`, body);
  for (const [name, body] of Object.entries(doc.output ?? {})) walkAttributes(body, `output.${name}`);
  walkAttributes(doc.provider ?? {}, 'provider');
  walkAttributes(doc.locals ?? {}, 'locals');
  return problems;
}
