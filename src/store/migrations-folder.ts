import { fileURLToPath } from 'node:url';

/** The committed drizzle-kit output, resolved from this file so it works from any working directory. */
export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
