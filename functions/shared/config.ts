/**
 * Configuration from environment variables, read once when a function's module loads (cold
 * start). A missing or malformed value throws `ConfigError` naming the variable, so a bad deploy
 * fails at start-up with a readable message instead of on some later request.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`configuration error: environment variable ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

function raw(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** A required string. */
export function requiredString(name: string): string {
  const value = raw(name);
  if (value === undefined) throw new ConfigError(name, 'is required but not set');
  return value;
}

export function optionalString(name: string, fallback: string): string {
  return raw(name) ?? fallback;
}

/** An integer within [min, max]. */
export function integer(name: string, options: { default?: number; min: number; max: number }): number {
  const value = raw(name);
  if (value === undefined) {
    if (options.default === undefined) throw new ConfigError(name, 'is required but not set');
    return options.default;
  }
  if (!/^[+-]?\d+$/.test(value)) throw new ConfigError(name, `must be an integer, got "${value}"`);
  const n = Number(value);
  if (n < options.min || n > options.max) {
    throw new ConfigError(name, `must be between ${options.min} and ${options.max}, got ${n}`);
  }
  return n;
}

/** A required absolute http(s) URL, without a trailing slash. */
export function url(name: string): string {
  return checkedUrl(name, requiredString(name));
}

/** An optional absolute http(s) URL, without a trailing slash; undefined when unset. */
export function optionalUrl(name: string): string | undefined {
  const value = raw(name);
  return value === undefined ? undefined : checkedUrl(name, value);
}

function checkedUrl(name: string, value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `must be an absolute URL, got "${value}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(name, `must be an http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

/** The Google Cloud project every function runs in (set by Terraform and by the local cloud). */
export function projectId(): string {
  return requiredString('GOOGLE_CLOUD_PROJECT');
}

/** A boolean written `true` or `false` (any letter case). */
export function boolean(name: string, options: { default: boolean }): boolean {
  const value = raw(name);
  if (value === undefined) return options.default;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  throw new ConfigError(name, `must be true or false, got "${value}"`);
}

/** A comma-separated list, empty when unset; blanks between commas are dropped. */
export function optionalList(name: string): string[] {
  return (raw(name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
