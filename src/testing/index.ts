/**
 * `memex/testing`: the conformance suites any implementation of Memex runs (vitest and
 * fast-check are peer dependencies of this entry point only), and the helpers they use.
 */
export { memexConformance } from './conformance.js';
export { engineConformance, type EngineTarget } from './engine/seam.js';
export type { ConformanceTarget, ConformanceOptions } from './target.js';
export { ManualClock } from './clock.js';
export { startFakeLlm, type FakeLlm, type FakeLlmOptions, type FakeLlmRequest, type FakeLlmAnswer } from './fake-llm.js';
export * from './list-append/index.js';
