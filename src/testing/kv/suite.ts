/**
 * The kv conformance suite, written once as a function of an engine factory and run against
 * every engine (`memexConformance` in ../conformance.ts; test/conformance/sqlite.test.ts runs it). Every test states one behaviour of SPEC.md's kv contract
 * (and of the guarantees that apply to kv) and fails if the engine does not provide it.
 *
 * The factory opens a fresh, empty store per call; `memexConformance` closes what it opened and
 * cleans the target up after each test.
 */
import { describe } from 'vitest';
import { kvCrud } from './crud.js';
import { kvEvents } from './events.js';
import { kvPatch } from './patch.js';
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
    kvPatch(env);
    kvTtlScope(env);
    kvEvents(env);
    kvState(env);
  });
}
