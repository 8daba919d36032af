/** `npm run schema`: regenerates schema/paas.schema.json from the zod schema (a test checks it is current). */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { projectRoot } from '../project-root.ts';
import { paasJsonSchemaText } from './json-schema.ts';

export const schemaFile = join(projectRoot, 'schema', 'paas.schema.json');

await mkdir(dirname(schemaFile), { recursive: true });
await writeFile(schemaFile, paasJsonSchemaText());
process.stdout.write(`wrote ${schemaFile}\n`);
