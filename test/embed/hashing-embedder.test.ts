import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cosine } from '../../src/embed/embedder.js';
import { fnv1a, HashingEmbedder } from '../../src/embed/hashing-embedder.js';
import { ValidationError } from '../../src/errors.js';
import { watchChild } from '../helpers/spawn.js';

/** SHA-256 of the vector as little-endian float32 bytes, whatever the host's endianness. */
function checksum(v: Float32Array): string {
  const dv = new DataView(new ArrayBuffer(v.length * 4));
  v.forEach((x, i) => dv.setFloat32(i * 4, x, true));
  return createHash('sha256').update(new Uint8Array(dv.buffer)).digest('hex');
}

function norm(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

const e = new HashingEmbedder();
const sim = (a: string, b: string): number => cosine(e.embedOne(a), e.embedOne(b));

describe('HashingEmbedder: determinism', () => {
  it('gives identical vectors across calls and across instances', async () => {
    const texts = ['The quick brown fox', 'Überprüfung der Größe', '東京タワー', 'emoji 🎉 test', ''];
    const a = await e.embed(texts);
    const b = await e.embed(texts);
    const c = await new HashingEmbedder({ dimension: 384 }).embed(texts);
    expect(a.map(checksum)).toEqual(b.map(checksum));
    expect(a.map(checksum)).toEqual(c.map(checksum));
  });

  it('matches a golden checksum, so any change to tokenizing or hashing is noticed', () => {
    // If this fails on purpose, the vectors of existing collections changed: bump `name` too.
    expect(e.name).toBe('hashing-v1');
    expect(checksum(e.embedOne('The quick brown fox jumps over the lazy dog'))).toBe(
      'a8f3fd16fc458549a38bb11bd45d72c68505f0e65754e0f176b3bfd6227dc0f0',
    );
  });

  it('hashes with FNV-1a over UTF-8 (published test vectors, and non-ASCII)', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
    const reference = (s: string): number => {
      let h = 0x811c9dc5;
      for (const byte of Buffer.from(s, 'utf8')) h = Math.imul(h ^ byte, 0x01000193);
      return h >>> 0;
    };
    for (const s of ['é', '東京', '🎉', 'a\u0301', 'mixed é 東 🎉']) expect(fnv1a(s)).toBe(reference(s));
  });
});

describe('HashingEmbedder: shape', () => {
  it('has the requested dimension and unit norm', async () => {
    for (const dimension of [1, 16, 384, 1024]) {
      const [v] = await new HashingEmbedder({ dimension }).embed(['hello world']);
      expect(v).toBeInstanceOf(Float32Array);
      expect(v!.length).toBe(dimension);
      expect(norm(v!)).toBeCloseTo(1, 6);
    }
  });

  it('gives a zero vector for empty, whitespace-only or punctuation-only text', async () => {
    for (const v of await e.embed(['', '   \n\t', '!!! ... ---'])) {
      expect(v.length).toBe(384);
      expect(v.every((x) => x === 0)).toBe(true);
    }
  });

  it('returns one vector per text, in order', async () => {
    const texts = ['alpha', 'beta', 'alpha'];
    const vs = await e.embed(texts);
    expect(vs).toHaveLength(3);
    expect(checksum(vs[0]!)).toBe(checksum(vs[2]!));
    expect(checksum(vs[0]!)).not.toBe(checksum(vs[1]!));
    expect(await e.embed([])).toEqual([]);
  });
});

describe('HashingEmbedder: what it captures', () => {
  it('ranks lexical overlap above unrelated text', () => {
    const q = 'python programming tips';
    expect(sim(q, 'tips for programming in python')).toBeGreaterThan(0.5);
    expect(sim(q, 'tips for programming in python')).toBeGreaterThan(sim(q, 'chocolate cake recipe') + 0.3);
    expect(sim(q, 'python tips')).toBeGreaterThan(sim(q, 'java tips'));
  });

  it('ignores case and Unicode compatibility forms', () => {
    expect(sim('Café RÉSUMÉ', 'café résumé')).toBeCloseTo(1, 6);
    expect(sim('ﬁle', 'file')).toBeCloseTo(1, 6); // ligature, folded by NFKC
    expect(sim('ｆｕｌｌｗｉｄｔｈ', 'fullwidth')).toBeCloseTo(1, 6);
  });

  it('partly matches typos through character trigrams', () => {
    expect(sim('programming', 'programing')).toBeGreaterThan(sim('programming', 'cooking') + 0.15);
  });

  it('rewards word order a little through bigrams', () => {
    const same = sim('the dog bit the man', 'the dog bit the man');
    const swapped = sim('the dog bit the man', 'the man bit the dog');
    expect(swapped).toBeLessThan(same);
    expect(swapped).toBeGreaterThan(0.7);
  });

  it('does not capture meaning: synonyms are unrelated', () => {
    expect(Math.abs(sim('car', 'automobile'))).toBeLessThan(0.2);
  });
});

describe('HashingEmbedder: properties', () => {
  const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.lorem());

  it('any text gives finite values with norm 0 or 1 (± 1e-6), zero exactly when there is no word', () => {
    const small = new HashingEmbedder({ dimension: 32 });
    fc.assert(
      fc.property(anyText, (text) => {
        for (const emb of [e, small]) {
          const v = emb.embedOne(text);
          expect(v.length).toBe(emb.dimension);
          expect(v.every(Number.isFinite)).toBe(true);
          const n = norm(v);
          const hasWord = /[\p{L}\p{N}\p{M}]/u.test(text.normalize('NFKC'));
          if (hasWord) expect(Math.abs(n - 1)).toBeLessThanOrEqual(1e-6);
          else expect(n).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('another process (fresh module state, its own instance) agrees bit for bit on arbitrary texts', async () => {
    // One pure function called twice in one process would agree even with hidden state shared
    // between instances; a separate process shares nothing but the code.
    const texts = fc.sample(anyText, { numRuns: 200, seed: 42 });
    const src = new URL('../../src/embed/hashing-embedder.ts', import.meta.url).href;
    const code = `
      const { createHash } = await import('node:crypto');
      const { HashingEmbedder } = await import(${JSON.stringify(src)});
      const texts = JSON.parse(await new Promise((r) => { let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => r(s)); }));
      const e = new HashingEmbedder();
      const out = texts.map((t) => {
        const v = e.embedOne(t);
        const dv = new DataView(new ArrayBuffer(v.length * 4));
        v.forEach((x, i) => dv.setFloat32(i * 4, x, true));
        return createHash('sha256').update(new Uint8Array(dv.buffer)).digest('hex');
      });
      process.stdout.write(JSON.stringify(out));
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(JSON.stringify(texts));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const r = await watchChild(child);
    expect(r.code, r.stderr).toBe(0);
    const theirs = JSON.parse(out) as string[];
    expect(theirs).toHaveLength(200);
    expect(theirs).toEqual(texts.map((t) => checksum(e.embedOne(t))));
  });
});

describe('HashingEmbedder: bad input', () => {
  it.each([
    [{ dimension: 0 }, 'options.dimension'],
    [{ dimension: 2.5 }, 'options.dimension'],
    [{ dimension: '384' }, 'options.dimension'],
    [{ dimensions: 384 }, 'options.dimensions'],
    [null, 'options'],
  ])('refuses options %j', (options, field) => {
    expect(() => new HashingEmbedder(options as never)).toThrow(ValidationError);
    try {
      new HashingEmbedder(options as never);
    } catch (err) {
      expect((err as ValidationError).field).toBe(field);
    }
  });

  it('refuses texts that are not an array of strings', async () => {
    await expect(e.embed('hello' as never)).rejects.toMatchObject({ code: 'invalid_input', field: 'texts' });
    await expect(e.embed(['ok', 42] as never)).rejects.toMatchObject({ code: 'invalid_input', field: 'texts[1]' });
    expect(() => e.embedOne(null as never)).toThrow(ValidationError);
  });
});
