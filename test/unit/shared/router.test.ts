import * as assert from 'node:assert/strict';
import { HttpError } from '../../../functions/shared/errors';
import { Router } from '../../../functions/shared/http/router';

describe('Router', () => {
  const noop = (): void => undefined;
  const router = new Router([
    { method: 'GET', path: '/', handle: noop },
    { method: 'POST', path: '/', handle: noop },
    { method: 'GET', path: '/{id}', handle: noop },
    { method: 'PUT', path: '/{id}', handle: noop },
    { method: 'POST', path: '/{id}/upload-image', handle: noop },
  ]);

  it('treats /x and /x/ as the same path', () => {
    assert.deepEqual(router.match('GET', '/42').params, { id: '42' });
    assert.deepEqual(router.match('GET', '/42/').params, { id: '42' });
    assert.equal(router.match('POST', '/').route.method, 'POST');
    assert.equal(router.match('POST', '').route.method, 'POST');
  });

  it('decodes path parameters', () => {
    assert.deepEqual(router.match('GET', '/a%20b').params, { id: 'a b' });
  });

  it('answers HEAD with the GET route', () => {
    assert.equal(router.match('HEAD', '/7').route.method, 'GET');
  });

  it('is a 404 for an unknown path', () => {
    assert.throws(
      () => router.match('GET', '/1/2/3'),
      (err: HttpError) => err.status === 404,
    );
  });

  it('is a 405 with Allow listing the methods of a known path', () => {
    assert.throws(
      () => router.match('DELETE', '/7'),
      (err: HttpError) => err.status === 405 && err.options.headers?.Allow === 'GET, PUT, HEAD',
    );
  });

  it('is a 400 for malformed percent-encoding', () => {
    assert.throws(
      () => router.match('GET', '/%E0%A4%A'),
      (err: HttpError) => err.status === 400,
    );
  });
});
