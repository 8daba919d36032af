/** `/slipway rollback [env]` in a comment: found on a line of its own, never in code or quotes; bad arguments refused. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRollbackCommand } from '../../src/rollback/parse-rollback-command.ts';

test('the command and its environment, production by default', () => {
  assert.deepEqual(parseRollbackCommand('/slipway rollback'), { environment: 'production' });
  assert.deepEqual(parseRollbackCommand('Checkout is down.\n  /slipway rollback staging  \nthanks'), { environment: 'staging' });
  assert.equal(parseRollbackCommand('/slipway approve budget'), null);
  assert.equal(parseRollbackCommand('please /slipway rollback'), null, 'not at the start of a line');
});

test('in a code fence or a quote it is someone else’s text, not a command', () => {
  assert.equal(parseRollbackCommand('```\n/slipway rollback\n```'), null);
  assert.equal(parseRollbackCommand('> /slipway rollback production'), null);
  assert.deepEqual(parseRollbackCommand('```\n/slipway rollback\n```\n/slipway rollback staging'), { environment: 'staging' });
});

test('hostile or mistaken arguments are refused with a reason', () => {
  assert.deepEqual(parseRollbackCommand('/slipway rollback staging production'), { error: '`/slipway rollback` takes one environment at most, got "staging production"' });
  assert.deepEqual(parseRollbackCommand('/slipway rollback ../../etc'), { error: '"../../etc" is not an environment name (lowercase letters, digits and "-")' });
  assert.deepEqual(parseRollbackCommand('/slipway rollback ${{secrets.X}}'), { error: '"${{secrets.X}}" is not an environment name (lowercase letters, digits and "-")' });
});
