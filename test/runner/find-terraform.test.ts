import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { findTerraform } from '../../src/runner/find-terraform.ts';
import { RunnerError } from '../../src/runner/runner-error.ts';

const dir = mkdtempSync(join(tmpdir(), 'slipway-find-terraform-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in binary that answers `version -json` with `json` (an OpenTofu, an old Terraform…). */
function fakeBinary(name: string, json: string): string {
  const folder = mkdtempSync(join(dir, 'bin-'));
  const path = join(folder, name);
  writeFileSync(path, `#!/bin/sh\necho '${json}'\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('finding Terraform', () => {
  test('the real terraform on the PATH is found with its version', async () => {
    const found = await findTerraform({ pathEnv: process.env.PATH });
    assert.ok('binary' in found, 'the runner tests need terraform ≥ 1.6 on the PATH');
    assert.equal(found.binary.name, 'terraform');
    assert.match(found.binary.version, /^1\.\d+\.\d+/);
  });

  test('without terraform or tofu on the PATH there is no runner, and the reason says so', async () => {
    const found = await findTerraform({ pathEnv: '/nonexistent-bin' });
    assert.deepEqual(found, { missing: 'no terraform or tofu on the PATH and SLIPWAY_TERRAFORM is not set' });
  });

  test('OpenTofu is taken when terraform is not there', async () => {
    const tofu = fakeBinary('tofu', '{"terraform_version":"1.8.3","platform":"linux_amd64"}');
    const found = await findTerraform({ pathEnv: tofu.replace(/\/tofu$/, '') });
    assert.ok('binary' in found);
    assert.deepEqual(found.binary, { path: tofu, name: 'tofu', version: '1.8.3' });
  });

  test('an old Terraform on the PATH means no runner; named in SLIPWAY_TERRAFORM it is an error', async () => {
    const old = fakeBinary('terraform', '{"terraform_version":"1.5.7"}');
    assert.deepEqual(await findTerraform({ pathEnv: old.replace(/\/terraform$/, '') }), { missing: `${old} is version 1.5.7; the runner needs 1.6.0 or later` });
    await assert.rejects(findTerraform({ setting: old }), (e: unknown) => e instanceof RunnerError && e.code === 'terraform_too_old');
  });

  test('a SLIPWAY_TERRAFORM that is not there, or not Terraform, is an error naming the setting', async () => {
    await assert.rejects(findTerraform({ setting: '/nonexistent/terraform' }), (e: unknown) => e instanceof RunnerError && e.code === 'terraform_not_found' && /SLIPWAY_TERRAFORM=\/nonexistent\/terraform/.test(e.message));
    await assert.rejects(findTerraform({ setting: 'no-such-terraform', pathEnv: process.env.PATH }), (e: unknown) => e instanceof RunnerError && e.code === 'terraform_not_found');
    const other = fakeBinary('terraform', 'Terraform v1.9.0');
    await assert.rejects(findTerraform({ setting: other }), (e: unknown) => e instanceof RunnerError && e.code === 'terraform_unusable');
  });
});
