import { HttpError } from '../shared/errors';
import { httpFunction } from '../shared/http/httpFunction';
import { singleQueryValue } from '../shared/http/query';
import { sendJson } from '../shared/http/router';
import { classifyInput, hasUpperCase } from './inputType';

/**
 * `GET ?x=<value>`: `"Success"` for a string with no upper-case letter, `"Fail"` for one with,
 * 400 for an int or float literal, and 500 for a boolean: the seed asks for a run-time error
 * there, so it is answered as one and logged at ERROR, with the exact detail the workflow records.
 */
export const isValidInput = httpFunction('isValidInput', [
  {
    method: 'GET',
    path: '/',
    handle({ req, res }) {
      const x = singleQueryValue(req, 'x');
      const type = classifyInput(x);
      if (type === 'int' || type === 'float') {
        throw new HttpError('bad_request', `"${type}" is not allowed`, {
          errors: [{ pointer: '#/query/x', detail: `"${type}" is not allowed` }],
        });
      }
      if (type === 'bool') throw new HttpError('internal', '"bool" is not allowed');
      sendJson(res, 200, hasUpperCase(x) ? 'Fail' : 'Success');
    },
  },
]);
