// The compiled LangGraph graphs the LangGraph tests run (in the test process and in the child
// processes of test/fixtures/langgraph-graph-node.ts), and what they compare: a checkpoint as
// LangGraph shows it (`StateSnapshot`), with the ids of its own saver replaced by positions.
import { Annotation, END, START, StateGraph, interrupt, type BaseCheckpointSaver, type BaseStore, type StateSnapshot } from '@langchain/langgraph';
import { Embeddings } from '@langchain/core/embeddings';
import { HashingEmbedder } from '../../src/index.js';

const CounterState = Annotation.Root({
  count: Annotation<number>({ reducer: (_old, next) => next, default: () => 0 }),
  log: Annotation<string[]>({ reducer: (old, next) => [...old, ...next], default: () => [] }),
});

/**
 * START → bump → note → END: `bump` counts, `note` logs the count it sees. `inNode` runs inside
 * `bump` before it returns (a test's barrier between processes); `tag` names the invocation.
 */
export function counterGraph(checkpointer: BaseCheckpointSaver, inNode: () => Promise<void> = async () => {}) {
  return new StateGraph(CounterState)
    .addNode('bump', async (s) => {
      await inNode();
      return { count: s.count + 1, log: [`bump ${s.count + 1}`] };
    })
    .addNode('note', (s) => ({ log: [`note ${s.count}`] }))
    .addEdge(START, 'bump')
    .addEdge('bump', 'note')
    .addEdge('note', END)
    .compile({ checkpointer });
}

const AskState = Annotation.Root({
  name: Annotation<string>(),
  color: Annotation<string>(),
  summary: Annotation<string>(),
});

/** Two questions, each an `interrupt()` a later `Command({ resume })` answers, then a summary. */
export function askGraph(checkpointer: BaseCheckpointSaver) {
  return new StateGraph(AskState)
    .addNode('askName', () => ({ name: interrupt<string, string>('name?') }))
    .addNode('askColor', () => ({ color: interrupt<string, string>('color?') }))
    .addNode('sum', (s) => ({ summary: `${s.name} likes ${s.color}` }))
    .addEdge(START, 'askName')
    .addEdge('askName', 'askColor')
    .addEdge('askColor', 'sum')
    .addEdge('sum', END)
    .compile({ checkpointer });
}

const RecallState = Annotation.Root({
  user: Annotation<string>(),
  query: Annotation<string>(),
  hits: Annotation<{ key: string; text: string }[]>(),
});

/** One node that searches the store the graph was compiled with, by meaning, in the user's namespace. */
export function recallGraph(checkpointer: BaseCheckpointSaver, store: BaseStore) {
  return new StateGraph(RecallState)
    .addNode('recall', async (s, config) => {
      const found = await config.store!.search(['memories', s.user], { query: s.query, limit: 3 });
      return { hits: found.map((h) => ({ key: h.key, text: String(h.value.text) })) };
    })
    .addEdge(START, 'recall')
    .addEdge('recall', END)
    .compile({ checkpointer, store });
}

/** Memex's hashing embedder as a LangChain `Embeddings`, so LangGraph's `InMemoryStore` embeds as Memex does. */
export class HashingEmbeddings extends Embeddings {
  private readonly embedder = new HashingEmbedder();
  readonly dims = this.embedder.dimension;

  constructor() {
    super({});
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return (await this.embedder.embed(texts)).map((v) => [...v]);
  }

  async embedQuery(text: string): Promise<number[]> {
    return (await this.embedDocuments([text]))[0]!;
  }
}

/** A checkpoint as a test compares it: ids (its own, its parent's, tasks') as positions in `order`. */
export interface Shown {
  at: number;
  parent: number | null;
  values: unknown;
  next: string[];
  metadata: unknown;
  tasks: { name: string; interrupts: unknown[] }[];
}

export const idOf = (s: StateSnapshot): string => s.config.configurable?.checkpoint_id as string;

/** `snapshot` with checkpoint ids replaced by their positions in `order` (oldest first). */
export function shown(snapshot: StateSnapshot, order: readonly string[]): Shown {
  const parent = snapshot.parentConfig?.configurable?.checkpoint_id as string | undefined;
  return {
    at: order.indexOf(idOf(snapshot)),
    parent: parent === undefined ? null : order.indexOf(parent),
    values: snapshot.values,
    next: [...snapshot.next],
    metadata: snapshot.metadata,
    tasks: snapshot.tasks.map((t) => ({ name: t.name, interrupts: t.interrupts.map((i) => i.value as unknown) })),
  };
}

/** What the interrupts pending at `snapshot` asked, task by task. */
export const interruptsOf = (snapshot: StateSnapshot): unknown[] => snapshot.tasks.flatMap((t) => t.interrupts.map((i) => i.value as unknown));
