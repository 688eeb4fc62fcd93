/**
 * The type of a query value, read from its literal form. A query value is always text; the seed
 * asked for "int", "float" and "bool" answers, so the text is classified by how it is written,
 * and never evaluated. Literal forms follow JSON/Python number syntax plus a leading `+` and
 * forms like `.5` and `1.`; `nan` and `inf` are not numbers here, just lower-case words.
 */
export type InputType = 'int' | 'float' | 'bool' | 'string';

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?$/;
const BOOL = /^(?:true|false)$/i;

export function classifyInput(text: string): InputType {
  if (INT.test(text)) return 'int';
  if (FLOAT.test(text)) return 'float';
  if (BOOL.test(text)) return 'bool';
  return 'string';
}

/** "Has an upper-case letter", for any script: Unicode upper-case (Lu) and title-case (Lt) letters. */
export function hasUpperCase(text: string): boolean {
  return /[\p{Lu}\p{Lt}]/u.test(text);
}
