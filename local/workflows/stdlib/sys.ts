import { randomUUID } from 'node:crypto';
import { wfError } from '../errors';
import { typeName, Value } from '../values';
import { arg, def, optArg, StdFunction } from './registry';

const SEVERITIES = ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'];

/** Formats epoch seconds as RFC 3339 with microseconds, in UTC or in an IANA time zone. */
export function formatTime(seconds: number, timezone = 'UTC'): string {
  const ms = Math.floor(seconds * 1000);
  const micros = String(Math.round((seconds - Math.floor(seconds)) * 1e6) % 1e6).padStart(6, '0');
  if (timezone === 'UTC' || timezone === 'Etc/UTC' || timezone === 'GMT' || timezone === 'Z') {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${micros}Z`);
  }
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    }).formatToParts(new Date(ms));
  } catch {
    throw wfError('ValueError', `time.format: unknown time zone ${timezone}`);
  }
  const g = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  const off = g('timeZoneName').replace('GMT', '') || '+00:00';
  return `${g('year')}-${g('month')}-${g('day')}T${g('hour')}:${g('minute')}:${g('second')}.${micros}${off === '+00:00' ? 'Z' : off}`;
}

/** `sys.*`, `time.*`, `uuid.*` (https://cloud.google.com/workflows/docs/reference/stdlib/sys/now, .../time/format, .../uuid/generate). */
export const sysFunctions: StdFunction[] = [
  def('sys.now', [], (_a, ctx) => ctx.clock.now() / 1000),
  def(
    'sys.get_env',
    ['name', 'default'],
    (a, ctx) => {
      const name = arg<string>('sys.get_env', a, 0, 'name', 'string');
      return Object.prototype.hasOwnProperty.call(ctx.env, name) ? ctx.env[name] : (a[1] ?? null);
    },
    { required: 1 },
  ),
  def(
    'sys.sleep',
    ['seconds'],
    async (a, ctx) => {
      const s = Number(arg<bigint | number>('sys.sleep', a, 0, 'seconds', 'number'));
      if (s < 0) throw wfError('ValueError', 'sys.sleep: seconds must be >= 0');
      await ctx.clock.sleep(s * 1000, ctx.signal);
      return null;
    },
    { blocking: true },
  ),
  def(
    'sys.sleep_until',
    ['time'],
    async (a, ctx) => {
      const t = Date.parse(arg<string>('sys.sleep_until', a, 0, 'time', 'string'));
      if (Number.isNaN(t)) throw wfError('ValueError', 'sys.sleep_until: time must be RFC 3339');
      await ctx.clock.sleep(Math.max(0, t - ctx.clock.now()), ctx.signal);
      return null;
    },
    { blocking: true },
  ),
  def(
    'sys.log',
    ['data', 'severity', 'text', 'json', 'timeout'],
    (a, ctx) => {
      const severity = optArg<string>('sys.log', a, 1, 'severity', 'string', 'DEFAULT').toUpperCase();
      if (!SEVERITIES.includes(severity)) throw wfError('ValueError', `sys.log: unknown severity ${severity}`);
      const given = [a[0], a[2], a[3]].filter((x) => x !== undefined);
      if (given.length !== 1) throw wfError('ValueError', 'sys.log: exactly one of data, text and json is required');
      if (a[2] !== undefined && typeof a[2] !== 'string')
        throw wfError('TypeError', `sys.log: text must be a string, got ${typeName(a[2])}`);
      ctx.log({ severity, payload: given[0] as Value });
      return null;
    },
    { blocking: true, required: 0 },
  ),
  def(
    'time.format',
    ['seconds', 'timezone'],
    (a) => {
      const s = Number(arg<bigint | number>('time.format', a, 0, 'seconds', 'number'));
      // Documented: no time zone or an empty one means UTC.
      return formatTime(s, optArg('time.format', a, 1, 'timezone', 'string', 'UTC') || 'UTC');
    },
    { required: 1 },
  ),
  def('time.parse', ['value'], (a) => {
    const v = arg<string>('time.parse', a, 0, 'value', 'string');
    const m = /^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(v);
    const t = m ? Date.parse(`${m[1].replace(/[t ]/, 'T')}${m[3].toUpperCase()}`) : NaN;
    if (!m || Number.isNaN(t)) throw wfError('ValueError', `time.parse: "${v}" is not an RFC 3339 timestamp`);
    return t / 1000 + (m[2] ? Number(`0${m[2]}`) : 0);
  }),
  def('uuid.generate', [], () => randomUUID()),
];
