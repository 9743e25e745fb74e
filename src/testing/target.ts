import { afterEach, it } from 'vitest';
import type { Memex, MemexCapabilities } from '../api/memex.js';
import type { MemexOptions } from '../options.js';

/** The store options a conformance test may set; where the data lives is the target's business. */
export type ConformanceOptions = Pick<
  MemexOptions,
  'clock' | 'lockTimeoutMs' | 'maxValueBytes' | 'events' | 'cache' | 'conversations' | 'embedder' | 'llm' | 'memories' | 'blocks'
>;

/**
 * How the conformance suites reach the implementation under test: a factory of `Memex` instances
 * over storage locations. Opening one location twice must give two handles on the same storage
 * (two connections, two nodes, two clients), as two processes would have.
 *
 * @example
 * ```ts
 * import { openMemex, sqliteEngine } from 'memex';
 * import { memexConformance } from 'memex/testing';
 * let n = 0;
 * memexConformance({
 *   name: 'sqlite',
 *   capabilities: { multiProcess: true, multiHost: false, durableFull: false, backup: true, persistent: true, fullText: true },
 *   newLocation: () => `/tmp/memex-conformance-${process.pid}-${n++}.db`,
 *   open: (path, options) => openMemex({ engine: sqliteEngine({ path, durability: 'normal' }), ...options }),
 * });
 * ```
 */
export interface ConformanceTarget {
  /** Shown in the suite's titles. */
  readonly name: string;
  /**
   * What every instance this target opens reports as `mx.capabilities`; groups that need a
   * capability the target lacks are skipped with that reason. The suite checks the claim.
   */
  readonly capabilities: MemexCapabilities;
  /** A fresh, empty storage location: a file path, a schema, a server… */
  newLocation(): string;
  /** Opens a `Memex` on `location`. */
  open(location: string, options: ConformanceOptions): Promise<Memex>;
  /** Removes what the test's locations left behind; runs after each test. */
  cleanup?(): void | Promise<void>;
  /**
   * Stops whatever serves `location` besides the handles (a server, a pool), so that the next
   * `open` starts it afresh as a restart would: the suites' reopen tests call it after closing
   * their handles. Without it a reopen only reconnects, and persistence is not what it proves.
   */
  restart?(location: string): void | Promise<void>;
}

/** A capability a group of tests needs. */
export type Capability = keyof MemexCapabilities;

/** What each suite receives: the target, and opening helpers that close what they opened. */
export interface SuiteEnv {
  readonly target: ConformanceTarget;
  readonly capabilities: MemexCapabilities;
  /** A fresh location of the target. */
  location(): string;
  /** Opens a store (a fresh one unless `location` is given); the caller closes it. */
  openTestMemex(options?: ConformanceOptions, location?: string): Promise<Memex>;
  /**
   * For a describe block: `open` a store that is closed after each test (and the target cleaned
   * up); `track` adds one opened some other way.
   */
  useStores(): { open: (options?: ConformanceOptions, location?: string) => Promise<Memex>; track: (mx: Memex) => Memex };
  /** The target's cleanup. */
  cleanup(): Promise<void>;
  /**
   * Whether the target declares `capability`, recording that a test is gated on it: the suite
   * fails when a declared capability gated nothing (a claim no test checks).
   */
  gate(capability: Capability): boolean;
  /** `it` for a test that needs `capability` (skipped where the target lacks it); recorded as {@link gate}. */
  capable(capability: Capability): typeof it.skip;
  /** The capabilities some test was gated on so far. */
  readonly gated: ReadonlySet<Capability>;
}

export function suiteEnv(target: ConformanceTarget): SuiteEnv {
  const gated = new Set<Capability>();
  const gate = (c: Capability) => {
    gated.add(c);
    return target.capabilities[c];
  };
  const env: SuiteEnv = {
    gate,
    capable: (c) => (gate(c) ? it : it.skip),
    gated,
    target,
    capabilities: target.capabilities,
    location: () => target.newLocation(),
    openTestMemex: (options = {}, location = target.newLocation()) => target.open(location, options),
    useStores: () => {
      const opened: Memex[] = [];
      afterEach(async () => {
        for (const mx of opened.splice(0)) await mx.close();
        await env.cleanup();
      });
      const track = (mx: Memex) => {
        opened.push(mx);
        return mx;
      };
      return { open: async (options, location) => track(await env.openTestMemex(options, location)), track };
    },
    cleanup: async () => {
      await target.cleanup?.();
    },
  };
  return env;
}
