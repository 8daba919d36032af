/** `npm run api-docs`: writes docs/openapi.json and docs/api-reference.md (a test checks they are current). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../project-root.ts';
import { openApiDocument, referenceMarkdown } from './api-reference.ts';

const doc = await openApiDocument();
await writeFile(join(projectRoot, 'docs', 'openapi.json'), `${JSON.stringify(doc, null, 2)}\n`);
await writeFile(join(projectRoot, 'docs', 'api-reference.md'), referenceMarkdown(doc));
process.stdout.write('wrote docs/openapi.json and docs/api-reference.md\n');
