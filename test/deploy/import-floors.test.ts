import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

/** The src/ folders a module's files import from (relative imports only). */
function importedFolders(folder: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of readdirSync(join('src', folder)).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join('src', folder, file), 'utf8');
    for (const match of text.matchAll(/from '\.\.\/([a-z-]+)\//g)) {
      const list = found.get(match[1]!) ?? [];
      list.push(file);
      found.set(match[1]!, list);
    }
  }
  return found;
}

test('the deploy job imports nothing from the webhook jobs (src/reconcile imports src/deploy, never the other way round)', () => {
  assert.deepEqual(importedFolders('deploy').get('reconcile') ?? [], []);
  assert.ok(importedFolders('reconcile').has('deploy'), 'the push job enqueues the deploy job');
});

test('what a commit holds is read by a module that imports neither job', () => {
  const folders = importedFolders('commit');
  assert.equal(folders.has('reconcile') || folders.has('deploy'), false);
});
