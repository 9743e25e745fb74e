// A wall clock stepped backwards (NTP, a restored VM): expired records stay expired, timestamps
// never go back, health says the clock is behind, and everything is normal once it catches up.
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { ManualClock } from '../../src/testing/clock.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';
import { cleanupLocations, newLocation, openAt } from '../helpers/location.js';

afterEach(async () => {
  cleanupTemp();
  await cleanupLocations();
});

const HOUR = 3_600_000;

describe('a clock that jumps backwards', () => {
  it('does not resurrect expired records or date writes in the past; health reports it until it catches up', async () => {
    const clock = new ManualClock();
    const mx = await openMemex({ path: tempDbPath(), clock: clock.now });
    await mx.kv.set('short', 1, { ttlMs: 1000 });
    await mx.conversations.append('t', { role: 'user', content: 'before' });
    clock.advance(1500);
    expect(await mx.kv.has('short')).toBe(false);
    const before = await mx.kv.set('w', 'before');
    const high = clock.nowMs;
    expect((await mx.health()).checks.find((c) => c.name === 'clock')).toMatchObject({ ok: true, detail: 'monotonic' });

    clock.advance(-HOUR);
    expect(await mx.kv.has('short')).toBe(false); // still expired: not back from the dead
    const after = await mx.kv.set('w', 'after', { ttlMs: 1000 });
    expect(after.version).toBeGreaterThan(before.version);
    const entry = (await mx.kv.getEntry('w'))!;
    expect(entry.updatedAt).toBe(high);
    expect(entry.expiresAt).toBe(high + 1000);
    const m = await mx.conversations.append('t', { role: 'user', content: 'after' });
    expect(m.at).toBe(high);
    const h = await mx.health();
    expect(h.ok).toBe(false);
    expect(h.checks.find((c) => c.name === 'clock')).toMatchObject({ ok: false, value: HOUR });
    expect(h.checks.find((c) => c.name === 'clock')!.detail).toContain(`${HOUR} ms behind`);

    clock.advance(HOUR + 2000); // caught up, and past the TTL
    expect(await mx.kv.has('w')).toBe(false);
    const healed = await mx.health();
    expect(healed.ok).toBe(true);
    expect(healed.checks.find((c) => c.name === 'clock')!.detail).toMatch(/went back by 3600000 ms at .* and has caught up/);
    await mx.close();
  });

  it('a step back of under a second is absorbed without an alarm', async () => {
    const clock = new ManualClock();
    const mx = await openMemex({ path: tempDbPath(), clock: clock.now });
    const a = await mx.kv.set('a', 1);
    clock.advance(-300);
    const b = await mx.kv.set('b', 2);
    expect(b.version).toBeGreaterThan(a.version);
    expect((await mx.kv.getEntry('b'))!.updatedAt).toBe((await mx.kv.getEntry('a'))!.updatedAt);
    expect((await mx.health()).checks.find((c) => c.name === 'clock')).toMatchObject({ ok: true, detail: 'monotonic' });
    await mx.close();
  });

  it("health watches the clock the engine uses: PostgreSQL's own (the database's) is not Memex's, one given to it is", async () => {
    const names = async (mx: Awaited<ReturnType<typeof openAt>>) => {
      try {
        return (await mx.health()).checks.map((c) => c.name);
      } finally {
        await mx.close();
      }
    };
    expect(await names(await openAt(newLocation('sqlite')))).toContain('clock');
    expect(await names(await openAt(newLocation('postgres')))).not.toContain('clock');
    expect(await names(await openAt(newLocation('postgres'), { clock: new ManualClock().now }))).toContain('clock');
  });
});
