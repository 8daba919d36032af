// drizzle-kit reads this to generate migrations from the schema: `npx drizzle-kit generate`.
// The generated SQL under drizzle/ is committed and applied by openStore and `slipway migrate`.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/schema.ts',
  out: './drizzle',
});
