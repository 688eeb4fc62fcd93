import { wfError } from '../errors';
import { Bytes, Value } from '../values';
import { arg, def, optArg, StdFunction } from './registry';

/**
 * Compiles a Workflows regular expression (RE2 syntax) to a JS RegExp. RE2 and JS agree on the
 * common subset; RE2-only constructs JS lacks (`(?P<name>...)`, `\z`, inline flags mid-pattern)
 * are translated or refused with a ValueError rather than matched wrongly.
 */
function regex(fn: string, pattern: string, flags = 'g'): RegExp {
  // RE2 has no lookaround and no backreferences; JS does. Refuse them as Workflows would
  // (ValueError: invalid regular expression) instead of matching what the cloud cannot.
  if (/\(\?<?[=!]/.test(pattern) || /(^|[^\\])(\\\\)*\\[1-9]/.test(pattern)) {
    throw wfError('ValueError', `${fn}: invalid regular expression (RE2 supports neither lookaround nor backreferences): ${pattern}`);
  }
  let p = pattern.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$(?![\\s\\S])');
  let f = flags;
  const lead = /^\(\?([imsU]+)\)/.exec(p);
  if (lead) {
    if (lead[1].includes('U')) throw wfError('ValueError', `${fn}: the RE2 flag U is not supported locally`);
    f += lead[1];
    p = p.slice(lead[0].length);
  }
  try {
    return new RegExp(p, f + 'u');
  } catch (e) {
    throw wfError('ValueError', `${fn}: invalid regular expression: ${(e as Error).message}`);
  }
}

const CHARSETS: Record<string, BufferEncoding> = {
  'UTF-8': 'utf8',
  UTF8: 'utf8',
  'US-ASCII': 'ascii',
  ASCII: 'ascii',
  'ISO-8859-1': 'latin1',
  LATIN1: 'latin1',
  'UTF-16LE': 'utf16le',
};

function charset(fn: string, name: string): BufferEncoding {
  const enc = CHARSETS[name.toUpperCase()];
  if (!enc) throw wfError('ValueError', `${fn}: unsupported charset ${name}`);
  return enc;
}

/** The character (code point) index of a UTF-16 offset: Workflows counts characters. */
const charIndex = (s: string, utf16: number): bigint => BigInt([...s.slice(0, utf16)].length);

/** Unreserved characters stay as they are; everything else is %-encoded from its UTF-8 bytes. */
function urlEncode(s: string, plus: boolean): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (plus && ch === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** `text.*` (https://cloud.google.com/workflows/docs/reference/stdlib/text/overview). Indexes count characters. */
export const textFunctions: StdFunction[] = [
  def('text.find_all', ['source', 'substr'], (a) => {
    const s = arg<string>('text.find_all', a, 0, 'source', 'string');
    const sub = arg<string>('text.find_all', a, 1, 'substr', 'string');
    const out: Value[] = [];
    if (sub === '') return out;
    for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) out.push({ index: charIndex(s, i), match: sub });
    return out;
  }),
  def('text.find_all_regex', ['source', 'regexp'], (a) => {
    const s = arg<string>('text.find_all_regex', a, 0, 'source', 'string');
    const re = regex('text.find_all_regex', arg<string>('text.find_all_regex', a, 1, 'regexp', 'string'));
    const out: Value[] = [];
    for (const m of s.matchAll(re)) out.push({ index: charIndex(s, m.index!), match: m[0] });
    return out;
  }),
  def('text.match_regex', ['source', 'regexp'], (a) => {
    const s = arg<string>('text.match_regex', a, 0, 'source', 'string');
    return regex('text.match_regex', arg<string>('text.match_regex', a, 1, 'regexp', 'string'), '').test(s);
  }),
  def('text.replace_all', ['source', 'substr', 'repl'], (a) => {
    const s = arg<string>('text.replace_all', a, 0, 'source', 'string');
    const sub = arg<string>('text.replace_all', a, 1, 'substr', 'string');
    const repl = arg<string>('text.replace_all', a, 2, 'repl', 'string');
    return sub === '' ? s : s.split(sub).join(repl);
  }),
  def('text.replace_all_regex', ['source', 'regexp', 'repl'], (a) => {
    const s = arg<string>('text.replace_all_regex', a, 0, 'source', 'string');
    const re = regex('text.replace_all_regex', arg<string>('text.replace_all_regex', a, 1, 'regexp', 'string'));
    const repl = arg<string>('text.replace_all_regex', a, 2, 'repl', 'string');
    // Documented: backreferences are not supported, so `repl` is inserted literally (no \\1, no $1).
    return s.replace(re, () => repl);
  }),
  def('text.split', ['source', 'separator'], (a) => {
    const s = arg<string>('text.split', a, 0, 'source', 'string');
    const sep = arg<string>('text.split', a, 1, 'separator', 'string');
    return sep === '' ? [...s] : s.split(sep);
  }),
  def('text.substring', ['source', 'start', 'end'], (a) => {
    const chars = [...arg<string>('text.substring', a, 0, 'source', 'string')];
    // Documented: a negative index is an offset from the end; out-of-range indexes are clamped.
    const clamp = (n: bigint): number => {
      const i = n < 0n ? chars.length + Number(n) : Number(n);
      return Math.max(0, Math.min(chars.length, i));
    };
    const start = clamp(arg<bigint>('text.substring', a, 1, 'start', 'integer'));
    const end = clamp(arg<bigint>('text.substring', a, 2, 'end', 'integer'));
    return start >= end ? '' : chars.slice(start, end).join('');
  }),
  def('text.to_lower', ['source'], (a) => arg<string>('text.to_lower', a, 0, 'source', 'string').toLowerCase()),
  def('text.to_upper', ['source'], (a) => arg<string>('text.to_upper', a, 0, 'source', 'string').toUpperCase()),
  def('text.url_encode', ['source'], (a) => urlEncode(arg<string>('text.url_encode', a, 0, 'source', 'string'), false)),
  def('text.url_encode_plus', ['source'], (a) => urlEncode(arg<string>('text.url_encode_plus', a, 0, 'source', 'string'), true)),
  def('text.url_decode', ['source'], (a) => {
    const s = arg<string>('text.url_decode', a, 0, 'source', 'string');
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      throw wfError('ValueError', `text.url_decode: malformed input "${s}"`);
    }
  }),
  def(
    'text.encode',
    ['text', 'charset'],
    (a) => {
      const s = arg<string>('text.encode', a, 0, 'text', 'string');
      return new Bytes(Buffer.from(s, charset('text.encode', optArg('text.encode', a, 1, 'charset', 'string', 'UTF-8'))));
    },
    { required: 1 },
  ),
  def(
    'text.decode',
    ['data', 'charset'],
    (a) => {
      const b = arg<Bytes>('text.decode', a, 0, 'data', 'bytes');
      const enc = charset('text.decode', optArg('text.decode', a, 1, 'charset', 'string', 'UTF-8'));
      if (enc === 'utf8') {
        try {
          return new TextDecoder('utf-8', { fatal: true }).decode(b.data);
        } catch {
          throw wfError('ValueError', 'text.decode: data is not valid UTF-8');
        }
      }
      return b.data.toString(enc);
    },
    { required: 1 },
  ),
];
