/**
 * The i-th of many distinct valid tag names (`tag_aaaa`, `tag_aaab`, ...): i in base 26 with the
 * digits a..z, padded with `a` (the zero digit), so names stay unique and sort like numbers.
 */
export function tagName(i: number): string {
  let s = '';
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26);
  } while (i > 0);
  return 'tag_' + s.padStart(4, 'a');
}
