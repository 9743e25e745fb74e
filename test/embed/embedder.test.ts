import { describe, expect, it } from 'vitest';
import { checkDimension, checkTexts, checkVector, cosine, l2normalize, MAX_DIMENSION } from '../../src/embed/embedder.js';
import { ValidationError } from '../../src/errors.js';

function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('l2normalize', () => {
  it('scales in place to unit length', () => {
    const v = new Float32Array([3, 4]);
    expect(l2normalize(v)).toBe(v);
    expect(Array.from(v)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
  });
  it('leaves a zero vector at zero', () => {
    expect(Array.from(l2normalize(new Float32Array(3)))).toEqual([0, 0, 0]);
  });
});

describe('checkVector', () => {
  it('accepts arrays and typed arrays of the right length', () => {
    const f = new Float32Array([0.5, -1]);
    expect(checkVector(f, 2)).toBe(f);
    expect(checkVector([0.5, -1], 2)).toEqual(f);
    expect(checkVector(new Float64Array([0.5, -1]), 2)).toEqual(f);
  });

  it.each([
    ['wrong length', [1, 2, 3], /must have 2 dimensions, got 3/],
    ['empty', [], /must have 2 dimensions, got 0/],
    ['NaN', [1, NaN], /element 1 is NaN/],
    ['Infinity', [-Infinity, 1], /element 0 is not finite/],
    ['a double that overflows float32', [1e39, 0], /element 0 is not finite/],
    ['NaN in a Float32Array', new Float32Array([0, NaN]), /element 1 is NaN/],
    ['a string element', [1, '2'], /element 1 must be a number, got string/],
    ['a hole', Object.assign(new Array<number>(2), { 0: 1 }), /element 1 must be a number, got undefined/],
    ['a string', 'abc', /must be an array or Float32Array/],
    ['null', null, /must be an array or Float32Array/],
    ['an Int8Array', new Int8Array(2), /must be an array or Float32Array/],
  ])('refuses %s', (_name, v, reason) => {
    const err = validationError(() => checkVector(v, 2, 'doc.vector'));
    expect(err.field).toBe('doc.vector');
    expect(err.code).toBe('invalid_input');
    expect(err.reason).toMatch(reason);
  });
});

describe('checkDimension', () => {
  it('accepts 1..MAX_DIMENSION integers', () => {
    expect(checkDimension(1)).toBe(1);
    expect(checkDimension(MAX_DIMENSION)).toBe(MAX_DIMENSION);
  });
  it.each([0, -1, 1.5, NaN, MAX_DIMENSION + 1, '384', undefined])('refuses %s', (d) => {
    expect(validationError(() => checkDimension(d, 'options.dimension')).field).toBe('options.dimension');
  });
});

describe('cosine', () => {
  it('is 1 for parallel, 0 for orthogonal, -1 for opposite vectors', () => {
    expect(cosine([1, 2], [2, 4])).toBeCloseTo(1, 12);
    expect(cosine([1, 0], [0, 3])).toBe(0);
    expect(cosine([1, 1], [-1, -1])).toBeCloseTo(-1, 12);
    expect(cosine(new Float32Array([1, 0]), new Float32Array([1, 1]))).toBeCloseTo(Math.SQRT1_2, 6);
  });
  it('is 0 against a zero vector', () => {
    expect(cosine([0, 0], [1, 1])).toBe(0);
  });
  it('stays within [-1, 1] despite rounding', () => {
    const v = Array.from({ length: 384 }, (_, i) => Math.sin(i) / 3);
    const c = cosine(v, v);
    expect(c).toBeLessThanOrEqual(1);
    expect(c).toBeCloseTo(1, 12);
  });
  it('refuses vectors of different dimensions', () => {
    expect(validationError(() => cosine([1], [1, 2])).reason).toMatch(/dimensions differ: 1 and 2/);
  });
});

describe('checkTexts', () => {
  it('accepts an array of strings and names the first bad element', () => {
    expect(checkTexts(['a', ''])).toEqual(['a', '']);
    expect(validationError(() => checkTexts('a')).field).toBe('texts');
    expect(validationError(() => checkTexts(['a', null])).field).toBe('texts[1]');
  });
});
