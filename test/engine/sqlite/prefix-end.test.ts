import { describe, expect, it } from 'vitest';
import { prefixEnd } from '../../../src/engine/prefix-end.js';

describe('prefixEnd (the SQLite engine scans a prefix as a key range)', () => {
  it('is the least string above every extension of the prefix', () => {
    expect(prefixEnd('ab')).toBe('ac');
    expect(prefixEnd('t\u0000')).toBe('t\u0001');
    expect(prefixEnd('a\uD7FF')).toBe('a\uE000');
    expect(prefixEnd('a\u{10FFFF}')).toBe('b');
    expect(prefixEnd('\u{10FFFF}')).toBeUndefined();
    for (const ext of ['', 'a', '\u{10FFFF}\u{10FFFF}', '\uFFFF']) expect('ab' + ext < prefixEnd('ab')!).toBe(true);
  });
});
