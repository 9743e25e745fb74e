import { afterEach } from 'vitest';
import { openMemex, type Memex } from '../../src/index.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';
import { kvConformance, type KvFactoryOptions } from './kv-suite.js';

const opened: Memex[] = [];

afterEach(async () => {
  for (const mx of opened.splice(0)) await mx.close();
  cleanupTemp();
});

kvConformance('sqlite', async (opts?: KvFactoryOptions) => {
  const path = tempDbPath();
  const openOne = async () => {
    const mx = await openMemex({ path, durability: 'normal', ...opts });
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
