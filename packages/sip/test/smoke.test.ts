import assert from 'node:assert/strict';
import { test } from 'node:test';
test('workspace runs TypeScript natively', () => {
  assert.equal(typeof process.versions.node, 'string');
});
