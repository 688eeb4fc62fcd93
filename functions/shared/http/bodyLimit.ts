import { DEFAULT_MAX_BODY_BYTES, MANIFEST } from '../../../manifest/manifest';

export { DEFAULT_MAX_BODY_BYTES };

/**
 * The largest request body function `name` accepts: its `max_body_bytes` in
 * manifest/manifest.json. The one place that reads it. A name the manifest does not have (a
 * test's function) gets the default.
 */
export function declaredMaxBodyBytes(name: string): number {
  return MANIFEST.functions[name]?.max_body_bytes ?? DEFAULT_MAX_BODY_BYTES;
}
