import { FUNCTIONS } from '../../catalog';

/** A function's body limit when its declaration sets none: every JSON body this kit takes is a few hundred bytes. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/**
 * The largest request body function `name` accepts, from its declaration. The one place that
 * reads it, so where declarations live can change in one line. A name with no declaration (a
 * test's function) gets the default.
 */
export function declaredMaxBodyBytes(name: string): number {
  return FUNCTIONS.find((f) => f.name === name)?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
}
