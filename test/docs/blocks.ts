// The fenced code blocks of a markdown document, with the doc-test marker before each, if any:
//   <!-- doc-test: typecheck-only — <reason> -->   compiled with the preamble, not run
//   <!-- doc-test: skip — <reason> -->             neither (commands that are CI itself)
//   <!-- doc-test: elsewhere <test file> -->       run by that test
export interface Block {
  readonly lang: string;
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly mode: 'run' | 'typecheck-only' | 'skip' | 'elsewhere';
  readonly reason: string;
}

export function codeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    let j = start - 1;
    while (j >= 0 && lines[j]!.trim() === '') j--;
    const marker = j >= 0 ? /^<!-- doc-test: (typecheck-only|skip|elsewhere)\s*(?:—|-)?\s*(.*?)\s*-->$/.exec(lines[j]!) : null;
    out.push({
      lang: open[1] ?? '',
      code: body.join('\n'),
      line: start + 1,
      mode: (marker?.[1] as Block['mode'] | undefined) ?? 'run',
      reason: marker?.[2] ?? '',
    });
  }
  return out;
}

/** Placeholders the README's snippets name but do not define (a model call, a vector…). */
export const PLACEHOLDERS = `
import { HashingEmbedder as __Embedder, sqliteEngine as __sqliteEngine } from 'memex';
import { MockLanguageModelV3 as __MockModel } from 'ai/test';
const model = 'gpt-4o';
const messages = [{ role: 'user', content: 'Say hi' }];
const callModel = async (_messages: unknown): Promise<string> => 'Hi!';
const text = 'hello world';
const [vector, myVector, other] = await new __Embedder().embed([text, 'a note', 'another note']) as [Float32Array, Float32Array, Float32Array];
const fetchAll = async (_o: { signal: AbortSignal }): Promise<number[]> => [1, 2, 3];
const readConfig = async (): Promise<Record<string, unknown>> => ({ theme: 'dark' });
const item = 'book';
const myEngine = (location: string) => __sqliteEngine({ path: \`\${location}.db\` });
const __usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };
// "your model": one that stores a fact with the remember tool, then answers.
const yourModel = new __MockModel({ doGenerate: [
  { content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'remember', input: JSON.stringify({ fact: 'The user likes hiking' }) }], finishReason: { unified: 'tool-calls', raw: undefined }, usage: __usage, warnings: [] },
  { content: [{ type: 'text', text: 'Noted: you like hiking.' }], finishReason: { unified: 'stop', raw: undefined }, usage: __usage, warnings: [] },
] });
void [yourModel, model, messages, callModel, text, vector, myVector, other, fetchAll, readConfig, item, myEngine];
`;

/** What a snippet (a block without imports) runs after: a store and a namespace, as the README's text names them. */
export const SNIPPET_PREAMBLE = `
import { openMemex, ConflictError, LockTimeoutError, isMemexError, contextForPrompt, type Memex } from 'memex';
const mx: Memex = await openMemex({ path: './memex.db' });
const user = mx.scope('acme/users/42');
void [ConflictError, LockTimeoutError, isMemexError, contextForPrompt, user];
`;

/** The line a README marks as failing on purpose: a compile error, and a TypeError when run. */
export const MEANT_TO_FAIL = '// compile error, and a TypeError at run time';

/**
 * The program a block becomes: placeholders, the snippet preamble unless the block imports what it
 * needs itself, and the block — with the line meant to fail marked `@ts-expect-error` (so the
 * compiler must refuse it) and wrapped so that running it must throw a TypeError.
 */
export function program(b: Block): string {
  const standalone = /^import /m.test(b.code);
  const code = b.code
    .split('\n')
    .map((l) =>
      l.includes(MEANT_TO_FAIL)
        ? `// @ts-expect-error the README says this line does not compile\n__mustThrowTypeError(() => { ${l.slice(0, l.indexOf(MEANT_TO_FAIL)).trim()} });`
        : l,
    )
    .join('\n');
  const imports = code.split('\n').filter((l) => /^import /.test(l));
  const rest = code.split('\n').filter((l) => !/^import /.test(l));
  const helper = `function __mustThrowTypeError(f: () => unknown): void { try { f(); } catch (e) { if (e instanceof TypeError) return; throw e; } throw new Error('the line the README says fails did not throw'); }\nvoid __mustThrowTypeError;`;
  const tail = standalone ? '' : '\nawait mx.close();';
  // The block in a scope of its own: what it declares shadows a placeholder of the same name.
  return [...imports, PLACEHOLDERS, standalone ? '' : SNIPPET_PREAMBLE, helper, '{', ...rest, '}', tail, 'export {};'].join('\n');
}
