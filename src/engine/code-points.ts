/**
 * Orders strings by Unicode code point, which is UTF-8 byte order (what SQL engines compare with
 * a binary collation). Plain `<` on JS strings compares UTF-16 code units instead, which puts
 * U+E000..U+FFFF after the astral planes.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return codePointRank(ca) - codePointRank(cb);
  }
  return a.length - b.length;
}

/** Surrogates (astral characters) move above U+E000..U+FFFF; everything else keeps its order. */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
