/**
 * The smallest string greater than every string that starts with `prefix` (in UTF-8 byte order,
 * which is code point order), or undefined when there is none (`prefix` ends in U+10FFFF).
 */
export function prefixEnd(prefix: string): string | undefined {
  const cps = [...prefix];
  while (cps.length > 0) {
    const last = cps.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) return cps.join('') + String.fromCodePoint(last + 1 === 0xd800 ? 0xe000 : last + 1);
  }
  return undefined;
}
