// Typed arrays written by one process are read back, same type and bytes, by another (issue 15).
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupLocations, newLocation, openAt, SHARED_ENGINES } from '../helpers/location.js';
import { here, runScript } from '../helpers/spawn.js';

afterEach(cleanupLocations);

describe.each(SHARED_ENGINES)('typed arrays across processes (%s)', (engine) => {
  it('a Float32Array in kv and cache and a Float64Array in a profile, written by another process', async () => {
    const location = newLocation(engine);
    await (await openAt(location)).close();
    const [line] = await runScript(here(import.meta.url, '../fixtures/typed-writer.ts'), [location]);
    const written = Float32Array.from(JSON.parse(line!) as number[]);
    const mx = await openAt(location);
    const doc = (await mx.kv.get<{ text: string; vector: Float32Array }>('emb'))!;
    expect(doc.vector).toBeInstanceOf(Float32Array);
    expect(Buffer.from(doc.vector.buffer).equals(Buffer.from(written.buffer))).toBe(true);
    const cached = await mx.cache.get<Float32Array>(['embedding', 'hello']);
    expect(cached).toEqual(written);
    const p = (await mx.profiles.get<{ taste: Float64Array }>('u1'))!;
    expect(p.taste).toEqual(Float64Array.of(Math.PI, -Math.E));
    await mx.close();
  });
});
