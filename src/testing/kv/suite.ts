/**
 * The kv conformance suite, written once as a function of an engine factory and run against
 * every engine (see sqlite.test.ts). Every test states one behaviour of SPEC.md's kv contract
 * (and of the guarantees that apply to kv) and fails if the engine does not provide it.
 *
 * The factory opens a fresh, empty store per call; the caller's test file closes what it opened
 * and removes temporary files in its own afterEach.
 */
import { describe } from 'vitest';
import { kvCrud } from './crud.js';
import { kvEvents } from './events.js';
import { suiteEnv, type KvFactory } from './helpers.js';
import { kvState } from './state.js';
import { kvTtlScope } from './ttl-scope.js';
import { kvTxList } from './tx-list.js';

export type { KvFactory, KvFactoryOptions, KvFixture } from './helpers.js';

export function kvConformance(name: string, factory: KvFactory): void {
  const env = suiteEnv(factory);
  describe(`kv conformance: ${name}`, () => {
    kvCrud(env);
    kvTxList(env);
    kvTtlScope(env);
    kvEvents(env);
    kvState(env);
  });
}
