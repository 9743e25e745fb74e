import { expect } from 'vitest';
import { ValidationError } from '../errors.js';

/** Each call rejects with a ValidationError whose `field` is the one named beside it. */
export async function expectInvalidFields(cases: readonly (readonly [call: () => Promise<unknown>, field: string])[]): Promise<void> {
  for (const [call, field] of cases) {
    const e = await call().then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e, field).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).field, field).toBe(field);
  }
}
