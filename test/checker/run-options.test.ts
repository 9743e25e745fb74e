// runListAppend refuses bad options with a ValidationError naming the option, before it opens anything.
import { describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { runListAppend, type RunOptions } from '../../src/testing/index.js';
import { expectInvalidFields } from '../../src/testing/expect-invalid.js';

describe('runListAppend options', () => {
  it('a bad option is a ValidationError naming it, and nothing is opened', async () => {
    let opened = 0;
    const open = () => (opened++, openMemex({ path: ':memory:' }));
    const run = (o: Partial<RunOptions>) => () => runListAppend({ open, ...o });
    await expectInvalidFields([
      [run({ open: 'x' as never }), 'open'],
      [run({ instances: 0 }), 'instances'],
      [run({ callers: 1.5 }), 'callers'],
      [run({ txnsPerCaller: -1 }), 'txnsPerCaller'],
      [run({ seed: Number.NaN }), 'seed'],
      [run({ keys: 0 }), 'keys'],
      [run({ maxMops: '4' as never }), 'maxMops'],
      [run({ killAt: 2 }), 'killAt'],
    ]);
    expect(opened).toBe(0);
  });
});
