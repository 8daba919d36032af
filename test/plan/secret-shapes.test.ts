/**
 * What counts as a secret, shape by shape: each credential format is recognised at its minimum
 * length and not one character short of it, by name and as a value, in a value and inside free
 * text. A pattern that drifts (a lost quantifier, a negated class) would leak a credential into a
 * PR comment or hide an ordinary value; these pairs tell the two apart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffTerraform, isSecretName, looksLikeSecret, REDACTED } from '../../src/plan/index.ts';
import { scrubSecrets } from '../../src/plan/sensitive.ts';

const a36 = 'a'.repeat(36);

describe('values that look like credentials', () => {
  const secrets: [string, string][] = [
    ['Stripe live key, 8 characters after the prefix', 'sk_live_abcdefgh'],
    ['Stripe test key', 'rk_test_12345678'],
    ['Stripe publishable key', 'pk_live_ABCDEFGH'],
    ['AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['GitHub token, 30 characters', `ghp_${'b'.repeat(30)}`],
    ['GitHub app token', `ghs_${a36}`],
    ['Slack token, 10 characters', 'xoxb-1234567890'],
    ['private key without an algorithm', '-----BEGIN PRIVATE KEY-----\nMIIEvQ'],
    ['RSA private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEvQ'],
    ['credentials in a URL', 'postgres://app:hunter22@db.internal:5432/shop'],
    ['JWT', 'eyJhbGciOiJ.eyJzdWIiOi.abcdefghij'],
  ];
  for (const [what, value] of secrets) it(`recognises a ${what}`, () => assert.equal(looksLikeSecret(value), true, value));

  const ordinary: [string, string][] = [
    ['Stripe-like key one character short', 'sk_live_abcdefg'],
    ['Stripe-like key with an unknown mode', 'sk_prod_abcdefgh'],
    ['AKIA id one character short', 'AKIAIOSFODNN7EXAMPL'],
    ['AKIA followed by a word', 'AKIAX is not a key'],
    ['AKIA id in lower case', 'AKIAiosfodnn7example'],
    ['GitHub-like token one character short', `ghp_${'b'.repeat(29)}`],
    ['GitHub-like token of an unknown kind', `ghx_${a36}`],
    ['GitHub-like token of punctuation', `ghp_${'-'.repeat(36)}`],
    ['Slack-like token one character short', 'xoxb-123456789'],
    ['Slack-like token of an unknown kind', 'xoxz-1234567890'],
    ['Slack-like token of punctuation', 'xoxb-..........'],
    ['public key', '-----BEGIN PUBLIC KEY-----\nMIIBIj'],
    ['private key header in lower case', '-----BEGIN rsa PRIVATE KEY-----'],
    ['URL without a password', 'postgres://app@db.internal:5432/shop'],
    ['URL with a port only', 'https://example.com:8443/path'],
    ['JWT-like text with a short middle part', 'eyJhbGciOiJ.eyJzd.abcdefghij'],
    ['JWT-like text with a short first part', 'eyJhbGc.eyJzdWIiOi.abcdefghij'],
    ['JWT-like text with a short last part', 'eyJhbGciOiJ.eyJzdWIiOi.abcdefg'],
    ['JWT-like text of punctuation', 'eyJ........!.eyJzdWIiOi.abcdefghij'],
    ['short value', 'sk_live'],
    ['Terraform reference to a secret', '${aws_secretsmanager_secret_version.db.secret_string}'],
    ['ordinary text', 'production-database'],
  ];
  for (const [what, value] of ordinary) it(`does not take a ${what} for a credential`, () => assert.equal(looksLikeSecret(value), false, value));

  it('still inspects a reference with more text around a second reference', () => {
    // Only a value that is exactly one reference is known to hold no literal.
    assert.equal(looksLikeSecret('${var.a}-AKIAIOSFODNN7EXAMPLE-${var.b}'), true);
  });
});

describe('names that say secret', () => {
  const secretNames = ['password', 'DB_PASSWORD', 'db-passwd', 'admin.pwd', 'stripe_secret_key', 'auth_token', 'api_key', 'api-key', 'apikey',
    'access_key', 'accesskey', 'private_key', 'privatekey', 'client_secret', 'clientsecret', 'credential', 'aws_credentials', 'password_identity'];
  for (const name of secretNames) it(`reads ${name} as a secret name`, () => assert.equal(isSecretName(name), true, name));

  const pointers = ['password_secret_arn', 'db_password_id', 'secret_ids', 'secret_name', 'token_names', 'password_version', 'secret_version_id',
    'password_kms_key_id', 'API_KEY_valueFrom', 'secret_rotation', 'secret_rotation_days', 'tokenizer', 'keyboard', 'passwords_policy_x', 'mode'];
  for (const name of pointers) it(`does not read ${name} as a secret name`, () => assert.equal(isSecretName(name), false, name));

  it('answers the same on a second call (the cache holds the answer, not the question)', () => {
    assert.deepEqual([isSecretName('DB_PASSWORD'), isSecretName('DB_PASSWORD'), isSecretName('mode'), isSecretName('mode')], [true, true, false, false]);
  });
});

describe('credentials inside free text', () => {
  it('replaces each credential shape in a sentence, keeping the rest', () => {
    const text = [
      'db postgres://app:hunter22@db:5432/shop',
      'stripe sk_live_abcdefgh',
      'aws AKIAIOSFODNN7EXAMPLE.',
      `gh ghp_${'c'.repeat(30)}`,
      'slack xoxb-1234567890',
      'jwt eyJhbGciOiJ.eyJzdWIiOi.abcdefghij',
    ].join('; ');
    assert.equal(
      scrubSecrets(text),
      `db postgres://app:${REDACTED}@db:5432/shop; stripe ${REDACTED}; aws ${REDACTED}.; gh ${REDACTED}; slack ${REDACTED}; jwt ${REDACTED}`,
    );
  });

  it('replaces a private key up to its end line, or to the end of the text when it has none', () => {
    assert.equal(scrubSecrets('key: -----BEGIN RSA PRIVATE KEY-----\nMIIE\nabc\n-----END RSA PRIVATE KEY----- (rotated)'), `key: ${REDACTED} (rotated)`);
    assert.equal(scrubSecrets('key: -----BEGIN PRIVATE KEY-----\nMIIE\nabc'), `key: ${REDACTED}`);
    assert.equal(scrubSecrets('a -----BEGIN EC PRIVATE KEY-----x-----END EC PRIVATE KEY----- b -----BEGIN PRIVATE KEY-----y-----END PRIVATE KEY----- c'), `a ${REDACTED} b ${REDACTED} c`);
  });

  it('leaves text without credentials as it is, near misses included', () => {
    const text = `see https://example.com/docs, sk_live_short, AKIA1234, ghp_${'d'.repeat(29)}, xoxb-123, xoxq-1234567890, eyJabc.def.ghi and -----BEGIN PUBLIC KEY-----`;
    assert.equal(scrubSecrets(text), text);
  });
});

describe('redaction in the plan model', () => {
  const one = (type: string, before: Record<string, unknown>, after: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    diffTerraform({ resource: { [type]: { it: before } } }, { resource: { [type]: { it: after } }, ...extra }).resources[0]!;

  it('redacts an attribute the provider marks sensitive, whatever its name, and says it changed', () => {
    const r = one('aws_mq_broker', { user: [{ username: 'admin', console_access: false }] }, { user: [{ username: 'admin', console_access: true }] });
    assert.deepEqual(r.changes, [{ path: 'user', before: REDACTED, after: REDACTED, sensitive: true }]);
    assert.equal(JSON.stringify(r).includes('admin'), false);
  });

  it('keeps a non-sensitive attribute of the same resource readable', () => {
    const r = one('aws_mq_broker', { broker_name: 'a', user: [] }, { broker_name: 'b', user: [] });
    assert.deepEqual(r.changes, [{ path: 'broker_name', before: 'a', after: 'b', sensitive: false }]);
  });

  it('redacts a secret-named key at any depth, and a value named by its sibling', () => {
    const r = one('aws_lambda_function',
      { environment: { variables: { DB_PASSWORD: 'old-password-1', MODE: 'a' } }, list: [{ name: 'API_TOKEN', value: 'old-token-value' }] },
      { environment: { variables: { DB_PASSWORD: 'new-password-2', MODE: 'b' } }, list: [{ name: 'API_TOKEN', value: 'new-token-value' }] });
    assert.deepEqual(r.changes.map((c) => [c.path, c.before, c.after, c.sensitive]), [
      ['environment.variables.DB_PASSWORD', REDACTED, REDACTED, true],
      ['environment.variables.MODE', 'a', 'b', false],
      ['list.API_TOKEN.value', REDACTED, REDACTED, true],
    ]);
  });

  it('shows a secret that appears or disappears as added or removed, never its value', () => {
    const added = one('aws_lambda_function', { environment: { variables: {} } }, { environment: { variables: { DB_PASSWORD: 'new-password-2' } } });
    assert.deepEqual(added.changes, [{ path: 'environment.variables.DB_PASSWORD', before: undefined, after: REDACTED, sensitive: true }]);
    const removed = one('aws_lambda_function', { environment: { variables: { DB_PASSWORD: 'old-password-1' } } }, { environment: { variables: {} } });
    assert.deepEqual(removed.changes, [{ path: 'environment.variables.DB_PASSWORD', before: REDACTED, after: undefined, sensitive: true }]);
  });

  it('redacts a value that refers to a sensitive variable, and only then', () => {
    const variable = { variable: { db_pass: { type: 'string', sensitive: true }, region: { type: 'string' } } };
    const r = one('aws_ssm_parameter', { name: 'a', description: 'x' }, { name: 'a', description: '${var.db_pass}' }, variable);
    // A change that is sensitive on one side hides both: the old value may be the same secret.
    assert.deepEqual(r.changes, [{ path: 'description', before: REDACTED, after: REDACTED, sensitive: true }]);
    const plain = one('aws_ssm_parameter', { name: 'a', description: 'x' }, { name: 'a', description: '${var.region}' }, variable);
    assert.deepEqual(plain.changes, [{ path: 'description', before: 'x', after: '${var.region}', sensitive: false }]);
  });
});
