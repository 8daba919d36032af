import test from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadApps } from '../../src/config/load-apps.ts';
import { environmentNames, resolveEnvironment } from '../../src/config/resolve-environment.ts';
import { checkReferences } from '../../src/synth/check-references.ts';
import { componentOf } from '../../src/synth/component-of.ts';
import { synthesize } from '../../src/synth/synthesize.ts';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'apps');

test('every valid fixture synthesizes in every environment, a preview included, consistently and deterministically', async () => {
  let documents = 0;
  for (const folder of ['simple-web-app', 'microservices-demo', 'ai-ml-pipeline', 'monorepo']) {
    const { apps, errors } = await loadApps(join(fixtures, folder));
    assert.deepEqual(errors, [], folder);
    assert.ok(apps.length > 0, folder);
    for (const app of apps) {
      const environments = [...environmentNames(app.config), ...(app.config.previews?.enabled ? ['pr-1'] : [])];
      for (const environment of environments) {
        const config = resolveEnvironment(app.config, environment);
        const doc = synthesize(config, { sha: 'abc1234' });
        const where = `${folder}/${app.file} ${environment}`;
        assert.deepEqual(checkReferences(doc), [], where);
        assert.equal(doc.terraform!.backend!.s3.key, `${config.name}/${environment}/terraform.tfstate`, where);
        assert.equal(JSON.stringify(synthesize(config, { sha: 'abc1234' })), JSON.stringify(doc), `${where} is deterministic`);
        for (const name of [...Object.keys(config.services), ...Object.keys(config.resources)]) {
          const owned = Object.values(doc.resource!).flatMap((byName) => Object.values(byName)).filter((block) => componentOf(block) === name);
          assert.ok(owned.length > 0, `${where}: ${name} has resources`);
        }
        documents++;
      }
    }
  }
  assert.ok(documents >= 7, `synthesized ${documents} documents`);
});
