import { describe, expect, it } from 'vitest';
import type { Memex } from '../api/memex.js';
import type { StoreName } from '../api/stores.js';
import { kvConformance, type KvFactoryOptions } from './kv/suite.js';
import { cacheSuite } from './stores/cache.js';
import { conversationsSuite } from './stores/conversations.js';
import { locksInputsSuite } from './stores/locks-inputs.js';
import { locksLeaseSuite } from './stores/locks-lease.js';
import { locksSuite } from './stores/locks.js';
import { profilesSuite } from './stores/profiles.js';
import { sitesInputsSuite } from './stores/sites-inputs.js';
import { sitesPromptSuite } from './stores/sites-prompt.js';
import { sitesSuite } from './stores/sites.js';
import { vectorsAnnSuite } from './stores/vectors-ann.js';
import { vectorsSuite } from './stores/vectors.js';
import { typedValuesSuite } from './stores/typed-values.js';
import { memoriesSuite } from './stores/memories.js';
import { memoriesLlmSuite } from './stores/memories-llm.js';
import { memoriesRecallSuite } from './stores/memories-recall.js';
import { blocksSuite } from './stores/blocks.js';
import { capabilitiesSuite } from './stores/capabilities.js';
import { suiteEnv, type Capability, type ConformanceTarget, type SuiteEnv } from './target.js';

type Suite = (env: SuiteEnv) => void;

/**
 * The suites of every store of `Stores` (api/stores.ts), each a function of the environment, gated
 * on capabilities inside: a store missing here does not compile, so none goes untested by omission.
 * kv's suite (which takes an engine factory) runs first, beside them.
 */
const STORE_SUITES = {
  kv: [],
  // The change feed is proved inside kv's suite (kv/events.ts): every event is a write's.
  events: [],
  profiles: [['profiles', profilesSuite]],
  conversations: [['conversations', conversationsSuite]],
  cache: [['cache', cacheSuite]],
  locks: [
    ['locks', locksSuite],
    ['locks: leases', locksLeaseSuite],
    ['locks: inputs', locksInputsSuite],
  ],
  sites: [
    ['sites', sitesSuite],
    ['sites: inputs', sitesInputsSuite],
    ['sites: prompt', sitesPromptSuite],
  ],
  vectors: [
    ['vectors', vectorsSuite],
    ['vectors: ANN', vectorsAnnSuite],
  ],
  memories: [
    ['memories', memoriesSuite],
    ['memories: with a model', memoriesLlmSuite],
    ['memories: recall', memoriesRecallSuite],
  ],
  blocks: [['blocks', blocksSuite]],
} satisfies Record<StoreName, readonly (readonly [string, Suite])[]>;

/** Suites across stores. */
const SHARED_SUITES: readonly (readonly [string, Suite])[] = [
  ['typed arrays in values', typedValuesSuite],
  ['what the declared capabilities promise', capabilitiesSuite],
];

/**
 * Every conformance suite against one implementation of the public `Memex` interface: kv and every
 * store, written once. Groups that need a capability the target lacks are skipped with the reason.
 *
 * @example
 * ```ts
 * // my-engine.test.ts, run by vitest
 * import { openMemex } from 'memex';
 * import { memexConformance } from 'memex/testing';
 * memexConformance({ name: 'mine', capabilities, newLocation, open: (loc, o) => openMemex({ engine: mine(loc), ...o }) });
 * ```
 */
export function memexConformance(target: ConformanceTarget): void {
  const env = suiteEnv(target);
  describe(`memex conformance: ${target.name}`, () => {
    describe('the target', () => {
      const { open } = env.useStores();
      it('opens stores that report the capabilities it declares', async () => {
        const mx = await open();
        expect(mx.capabilities).toEqual(target.capabilities);
      });
    });
    describe('kv', () => {
      const { track } = env.useStores();
      kvConformance(target.name, kvFactory(env, track));
    });
    for (const [name, suite] of [...Object.values(STORE_SUITES).flat(), ...SHARED_SUITES]) describe(name, () => suite(env));
    describe('the target, again', () => {
      // Collected last: by now every suite above has said which capabilities its tests need.
      it('every capability it declares gates at least one test (a claim nothing checks is not made)', () => {
        const declared = (Object.keys(target.capabilities) as Capability[]).filter((c) => target.capabilities[c]);
        expect(declared.filter((c) => !env.gated.has(c))).toEqual([]);
      });
    });
  });
}

/**
 * The kv suite's factory over a target: `reopen` only where data outlives an instance, and it
 * restarts what serves the location (the target's `restart`), so persistence is what it proves.
 */
function kvFactory(env: SuiteEnv, track: (mx: Memex) => Memex) {
  const persistent = env.gate('persistent');
  return async (opts?: KvFactoryOptions) => {
    const location = env.location();
    let current = track(await env.openTestMemex(opts, location));
    const reopen = async () => {
      await current.close();
      await env.target.restart?.(location);
      current = track(await env.openTestMemex(opts, location));
      return current;
    };
    return { mx: current, ...(persistent ? { reopen } : {}) };
  };
}
