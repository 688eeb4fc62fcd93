import * as assert from 'node:assert/strict';
import type { ReadResponse } from './http';

/**
 * Asserts what every error of the kit looks like to a client: the status, an
 * `application/problem+json` body with `type`, `title` and the same `status`, no HTML and no
 * stack trace; with `pointer`, an `errors[]` entry at that JSON Pointer with its `detail`.
 */
export function assertProblem(res: ReadResponse, status: number, pointer?: string): void {
  assert.equal(res.status, status, res.text);
  assert.match(res.contentType, /^application\/problem\+json/, `not problem+json: ${res.contentType} ${res.text}`);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.type, 'string');
  assert.equal(typeof res.body.title, 'string');
  assert.doesNotMatch(res.text, /<html|<!DOCTYPE|at \w+ \(/i, 'no HTML, no stack trace');
  if (pointer) {
    assert.ok(Array.isArray(res.body.errors), `no errors[] in ${res.text}`);
    assert.ok(
      res.body.errors.some((e: { pointer: string; detail: string }) => e.pointer === pointer && typeof e.detail === 'string'),
      `no error at ${pointer}: ${res.text}`,
    );
  }
}
