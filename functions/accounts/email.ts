/**
 * The one normalisation of an email, used on create, update and search alike: surrounding
 * white space trimmed and the domain (after the last `@`) lower-cased. The local part is left
 * as written: RFC 5321 lets a mail server treat it as case-sensitive.
 */
export function normaliseEmail(email: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  if (at < 0) return trimmed;
  return trimmed.slice(0, at) + '@' + trimmed.slice(at + 1).toLowerCase();
}
