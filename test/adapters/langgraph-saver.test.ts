// MemexSaver against LangGraph's own checkpointer validation suite
// (@langchain/langgraph-checkpoint-validation, its validate() API), a fresh namespace per
// checkpointer as the suite requires ("state written by one instance MUST NOT be readable by another").
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openMemex, type Memex } from '../../src/index.js';
import { MemexSaver } from '../../src/adapters/langgraph/index.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

// The suite's spec files call describe/it/expect as globals (Jest style); this project does not
// turn vitest's globals on, so they are handed over before the suite is loaded.
Object.assign(globalThis, { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it });
const { validate } = await import('@langchain/langgraph-checkpoint-validation');

let mx: Memex;
let n = 0;

validate({
  checkpointerName: 'memex',
  async beforeAll() {
    mx = await openMemex({ path: tempDbPath(), durability: 'normal' });
  },
  async afterAll() {
    await mx.close();
    cleanupTemp();
  },
  createCheckpointer: () => new MemexSaver(mx.scope(`validate-${n++}`)),
});
