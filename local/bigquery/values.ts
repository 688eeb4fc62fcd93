/**
 * Scalar values in their three forms: what a client sends (JSON in `insertAll`, a query
 * parameter), how the local BigQuery stores it in SQLite, and the string BigQuery's REST API
 * returns. Storage is chosen so SQLite's own ordering and equality are BigQuery's:
 *
 * | type      | stored as                                  |
 * |-----------|--------------------------------------------|
 * | STRING    | TEXT                                       |
 * | INTEGER   | INTEGER (64-bit, read back as bigint)      |
 * | FLOAT     | REAL                                       |
 * | BOOLEAN   | INTEGER 0/1                                |
 * | TIMESTAMP | INTEGER microseconds since the epoch (UTC) |
 * | NUMERIC   | TEXT, canonical decimal                    |
 * | DATE      | TEXT `YYYY-MM-DD`                          |
 * | JSON      | TEXT, compact JSON                         |
 * | REPEATED  | TEXT, JSON array of each element's text    |
 */
import type { FieldType } from './schema';

/** A value as SQLite holds it. */
export type StoredValue = string | number | bigint | null;

/** The REST `formatOptions` that decide how TIMESTAMP values are written. */
export interface TimestampFormat {
  /** `formatOptions.useInt64Timestamp`: microseconds as an integer string. */
  useInt64Timestamp?: boolean;
  /** `formatOptions.timestampOutputFormat`: `FLOAT64`, `INT64` or `ISO8601_STRING`. */
  timestampOutputFormat?: string;
}

/** Result of coercing a client value: the stored value, or why it does not fit the type. */
export type Coerced = { ok: true; value: StoredValue } | { ok: false; message: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MICROS_PER_DAY = 86_400_000_000n;
// BigQuery's TIMESTAMP range: 0001-01-01 00:00:00 to 9999-12-31 23:59:59.999999 UTC.
const MIN_MICROS = -62_135_596_800_000_000n;
const MAX_MICROS = 253_402_300_799_999_999n;
/**
 * How a TIMESTAMP written as text starts (`YYYY-M-D`). Query literals and parameters must have
 * it; only the streaming insert also takes epoch seconds.
 */
export const DATE_PREFIX = /^\s*\d{4}-\d{1,2}-\d{1,2}/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Days since 1970-01-01 for a proleptic Gregorian date (no `Date`, which maps years < 100 to 19xx). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The inverse of daysFromCivil. */
function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [m <= 2 ? era * 400 + yoe + 1 : era * 400 + yoe, m, d];
}

function validDate(y: number, m: number, d: number): boolean {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  const [yy, mm, dd] = civilFromDays(daysFromCivil(y, m, d));
  return yy === y && mm === m && dd === d;
}

const pad = (n: number | bigint, width: number): string => String(n).padStart(width, '0');

/**
 * A decimal string scaled by 10^scale into a bigint, rounding half away from zero, so
 * `"1.5", 6` → 1500000n. Handles exponents (`1.7E9`). Undefined when not a decimal.
 */
export function scaleDecimal(text: string, scale: number): bigint | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  const digits = (m[2] ?? '') + (m[3] ?? '');
  // The position of the decimal point after applying the exponent and the scale.
  const point = (m[2] ?? '').length + Number(m[4] ?? '0') + scale;
  if (Math.abs(point) > 1000) return undefined;
  let whole: bigint;
  let roundUp = false;
  if (point >= digits.length) {
    whole = BigInt((digits || '0') + '0'.repeat(point - digits.length));
  } else if (point <= 0) {
    whole = 0n;
    roundUp = point === 0 && digits[0] !== undefined && digits[0] >= '5';
  } else {
    whole = BigInt(digits.slice(0, point));
    roundUp = digits[point]! >= '5';
  }
  return sign * (whole + (roundUp ? 1n : 0n));
}

/** Writes `value / 10^scale` as a plain decimal without trailing zeros (`1500000n, 6` → `1.5`). */
export function unscaleDecimal(value: bigint, scale: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const base = 10n ** BigInt(scale);
  const whole = abs / base;
  const frac = scale > 0 ? pad(abs % base, scale).replace(/0+$/, '') : '';
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/**
 * Parses a TIMESTAMP as BigQuery accepts it (`2024-01-02T03:04:05.123456Z`,
 * `2024-01-02 03:04:05 UTC`, `2024-01-02 03:04:05+02:00`, `2024-01-02`, or epoch seconds as a
 * number or numeric string) into microseconds since the epoch. Undefined when invalid.
 */
export function parseTimestamp(input: unknown): bigint | undefined {
  let micros: bigint | undefined;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return undefined;
    micros = scaleDecimal(String(input), 6);
  } else if (typeof input === 'string') {
    const text = input.trim();
    const m =
      /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{1,2}(?::?\d{2})?)?$/i.exec(text);
    if (!m) {
      micros = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? scaleDecimal(text, 6) : undefined;
    } else {
      const [y, mo, d, h = 0, mi = 0, s = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((p) =>
        p === undefined ? undefined : Number(p),
      ) as number[];
      if (!validDate(y!, mo!, d!) || h > 23 || mi > 59 || s > 59) return undefined;
      const fraction = BigInt(((m[7] ?? '') + '000000').slice(0, 6));
      let offsetMinutes = 0;
      const zone = m[8];
      if (zone && !/^(z|utc)$/i.test(zone)) {
        const z = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone)!;
        const zh = Number(z[2]);
        const zm = Number(z[3] ?? '0');
        if (zh > 14 || zm > 59) return undefined;
        offsetMinutes = (z[1] === '-' ? -1 : 1) * (zh * 60 + zm);
      }
      const seconds = BigInt(daysFromCivil(y!, mo!, d!)) * 86400n + BigInt(h * 3600 + mi * 60 + s - offsetMinutes * 60);
      micros = seconds * 1_000_000n + fraction;
    }
  }
  if (micros === undefined || micros < MIN_MICROS || micros > MAX_MICROS) return undefined;
  return micros;
}

/** Microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`. */
export function formatIsoTimestamp(micros: bigint): string {
  const days = micros >= 0n ? micros / MICROS_PER_DAY : -((-micros + MICROS_PER_DAY - 1n) / MICROS_PER_DAY);
  const inDay = micros - days * MICROS_PER_DAY;
  const [y, m, d] = civilFromDays(Number(days));
  const secs = Number(inDay / 1_000_000n);
  const frac = pad(inDay % 1_000_000n, 6).replace(/0+$/, '');
  const time = `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}`;
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${time}${frac ? `.${frac}` : ''}Z`;
}

/**
 * A decimal number written the way Java's `Double.toString` writes it, which is how BigQuery's
 * REST API writes FLOAT64 values and float-seconds timestamps: plain with at least one
 * fraction digit from 10^-3 up to 10^7 (`1.5`, `2.0`), scientific outside (`1.700000000123456E9`).
 */
function javaLayout(decimal: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(decimal);
  if (!m) return decimal;
  const sign = m[1]!;
  const all = (m[2] ?? '') + (m[3] ?? '');
  // value = 0.<digits> × 10^point, with leading zeros moved into the exponent.
  let point = (m[2] ?? '').length + Number(m[4] ?? '0');
  const lead = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(lead).replace(/0+$/, '');
  point -= lead;
  if (digits === '') return `${sign}0.0`;
  if (point >= -2 && point <= 7) {
    const whole = point > 0 ? digits.slice(0, point).padEnd(point, '0') : '0';
    const frac = point > 0 ? digits.slice(point) : '0'.repeat(-point) + digits;
    return `${sign}${whole}.${frac || '0'}`;
  }
  return `${sign}${digits[0]}.${digits.slice(1) || '0'}E${point - 1}`;
}

/** Microseconds as the float-seconds string BigQuery's REST API returns by default (`1.700000000123456E9`). */
export function formatFloatSeconds(micros: bigint): string {
  return javaLayout(unscaleDecimal(micros, 6));
}

/** FLOAT64 the way BigQuery writes it: `1.5`, `2.0`, `1.0E21`, `NaN`, `Infinity`. */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  return javaLayout(Object.is(n, -0) ? '-0' : String(n));
}

/** A DATE string as `YYYY-MM-DD`, or undefined when it is not a valid date. */
export function parseDate(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(input.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return validDate(y, mo, d) ? `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}` : undefined;
}

/** NUMERIC's limits: 29 digits before the point, 9 after (excess fraction digits are rounded). */
export function parseNumeric(input: unknown): string | undefined {
  if (typeof input !== 'number' && typeof input !== 'string') return undefined;
  if (typeof input === 'number' && !Number.isFinite(input)) return undefined;
  const scaled = scaleDecimal(String(input), 9);
  if (scaled === undefined) return undefined;
  if ((scaled < 0n ? -scaled : scaled) >= 10n ** 38n) return undefined;
  return unscaleDecimal(scaled, 9);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Coerces one non-null client value to the stored form of a scalar column, accepting what the
 * streaming API accepts for that type (numbers or numeric strings for INTEGER, `true`/`"true"`
 * for BOOLEAN, ...). Messages follow BigQuery's insertErrors wording.
 */
export function coerceScalar(type: FieldType, value: unknown): Coerced {
  const fail = (what: string): Coerced => ({ ok: false, message: `Cannot convert value to ${what}: ${describe(value)}` });
  if (typeof value === 'object' && value !== null && type !== 'JSON') {
    return { ok: false, message: `This field is not a record; cannot store ${describe(value)} as ${type}.` };
  }
  switch (type) {
    case 'STRING':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? { ok: true, value: String(value) }
        : fail('string');
    case 'INTEGER': {
      let n: bigint | undefined;
      if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
      else if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) n = BigInt(value.trim());
      return n !== undefined && n >= INT64_MIN && n <= INT64_MAX ? { ok: true, value: n } : fail('integer (bad value)');
    }
    case 'FLOAT': {
      let n: number | undefined;
      if (typeof value === 'number') n = value;
      else if (typeof value === 'string') {
        const t = value.trim();
        if (/^(NaN|[+-]?Infinity|[+-]?inf)$/i.test(t)) n = Number(t.replace(/inf$/i, 'Infinity'));
        else if (DECIMAL.test(t) && t !== '' && Number.isFinite(Number(t))) n = Number(t);
      }
      if (n === undefined) return fail('double (bad value)');
      // SQLite stores NaN as NULL, which would read back wrong; refuse it rather than lose it.
      if (Number.isNaN(n)) return { ok: false, message: 'NaN is not supported by the local BigQuery' };
      return { ok: true, value: n };
    }
    case 'BOOLEAN':
      if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) {
        return { ok: true, value: value.trim().toLowerCase() === 'true' ? 1 : 0 };
      }
      return fail('boolean (bad value)');
    case 'TIMESTAMP': {
      const micros = parseTimestamp(value);
      return micros === undefined ? fail('timestamp (bad value)') : { ok: true, value: micros };
    }
    case 'NUMERIC': {
      const n = parseNumeric(value);
      return n === undefined ? fail('numeric (bad value)') : { ok: true, value: n };
    }
    case 'DATE': {
      const d = parseDate(value);
      return d === undefined ? fail('date (bad value)') : { ok: true, value: d };
    }
    case 'JSON': {
      if (typeof value === 'string') {
        // The streaming API takes JSON columns as JSON text.
        try {
          return { ok: true, value: JSON.stringify(JSON.parse(value)) };
        } catch {
          return fail('JSON (invalid JSON text)');
        }
      }
      return { ok: true, value: JSON.stringify(value) };
    }
  }
}

/** A stored scalar as the string BigQuery's REST API returns (`{"v": "..."}`). */
export function formatScalar(type: FieldType, stored: StoredValue, format: TimestampFormat = {}): string | null {
  if (stored === null) return null;
  switch (type) {
    case 'BOOLEAN':
      return Number(stored) !== 0 ? 'true' : 'false';
    case 'FLOAT':
      return formatFloat(Number(stored));
    case 'INTEGER':
      return String(stored);
    case 'TIMESTAMP': {
      const micros = BigInt(stored);
      const out = (format.timestampOutputFormat ?? '').toUpperCase();
      if (out === 'ISO8601_STRING') return formatIsoTimestamp(micros);
      if (out === 'INT64') return micros.toString();
      if (out === 'FLOAT64') return formatFloatSeconds(micros);
      return format.useInt64Timestamp ? micros.toString() : formatFloatSeconds(micros);
    }
    default:
      return String(stored);
  }
}

/** The text a REPEATED element is kept as inside the stored JSON array. */
export function elementText(stored: StoredValue): string | null {
  return stored === null ? null : typeof stored === 'bigint' ? stored.toString() : String(stored);
}
