import { join } from 'node:path';
import { projectRoot } from '../project-root.ts';

/** The committed drizzle-kit output, found from the project root so it works from any working directory and from the bundled CLI. */
export const migrationsFolder = join(projectRoot, 'drizzle');
