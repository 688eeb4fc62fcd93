import { HttpError } from '../shared/errors';

/**
 * Checks that a name can key the run's Firestore document (`pipeline_state/<name>`): Firestore
 * refuses ids containing `/`, `.` and `..`, ids matching `__.*__`, and ids over 1,500 bytes.
 * Refusing here, with a 400, beats an execution that fails half-way.
 */
export function assertDocumentIdSafe(name: string, pointer: string): void {
  const problem = name.includes('/')
    ? 'must not contain "/"'
    : name === '.' || name === '..'
      ? 'must not be "." or ".."'
      : /^__.*__$/.test(name)
        ? 'must not both start and end with "__" (reserved by Firestore)'
        : Buffer.byteLength(name) > 1500
          ? 'must be at most 1,500 bytes'
          : undefined;
  if (problem)
    throw new HttpError('validation_failed', `x ${problem}: it keys the run's state document.`, { errors: [{ pointer, detail: problem }] });
}
