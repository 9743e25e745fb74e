import { afterEach } from 'vitest';
import type { Memex } from '../../src/index.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';
import { ENGINE, openTestMemex } from './engine.js';
import { kvConformance, type KvFactoryOptions } from './kv-suite.js';

const opened: Memex[] = [];

afterEach(async () => {
  for (const mx of opened.splice(0)) await mx.close();
  cleanupTemp();
});

kvConformance(ENGINE, async (opts?: KvFactoryOptions) => {
  const path = tempDbPath();
  const openOne = async () => {
    const mx = await openTestMemex(opts, path);
    opened.push(mx);
    return mx;
  };
  let current = await openOne();
  return {
    mx: current,
    reopen: async () => {
      await current.close();
      current = await openOne();
      return current;
    },
  };
});
