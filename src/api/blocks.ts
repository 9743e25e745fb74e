/** A memory block: a small named text or JSON object an agent keeps in every prompt. */
export interface Block {
  readonly label: string;
  readonly value: string | Readonly<Record<string, unknown>>;
  /** Changes with every write: what `ifVersion` compares. */
  readonly version: number;
  readonly updatedAt: number;
}

/** Options of a block write. */
export interface BlockWriteOptions {
  /** Compare-and-set: write only if the block's version is this one (0 = only if absent). */
  ifVersion?: number;
}

/**
 * Memory blocks (Letta's core memory, Mastra's working memory): named, size-bounded text or JSON
 * objects an agent edits. Every write is atomic; `append` and `replace` apply to the block as it is
 * when they commit, so concurrent appends are all kept; `set` with `ifVersion` never overwrites an
 * edit it did not see.
 *
 * @example
 * ```ts
 * await mx.blocks.set('persona', 'I am a travel assistant.');
 * await mx.blocks.append('human', 'Prefers aisle seats.');
 * const { value, version } = (await mx.blocks.get('human'))!;
 * ```
 */
export interface BlocksStore {
  /** The block, or `undefined`. */
  get(label: string): Promise<Block | undefined>;

  /**
   * Replaces a block's value (text, or a JSON object).
   * @example
   * ```ts
   * await mx.blocks.set('plan', { step: 2, todo: ['book hotel'] }, { ifVersion: 7 });
   * ```
   */
  set(label: string, value: string | Record<string, unknown>, options?: BlockWriteOptions): Promise<{ version: number }>;

  /**
   * Appends text to a text block (creating it), on a new line unless the block is empty.
   * @example
   * ```ts
   * await mx.blocks.append('human', 'Allergic to peanuts.');
   * ```
   */
  append(label: string, text: string, options?: BlockWriteOptions): Promise<{ version: number; length: number }>;

  /**
   * Replaces the first occurrence of `oldText` in a text block; a block without it is refused (`oldText`).
   * @example
   * ```ts
   * await mx.blocks.replace('human', 'Lives in Paris', 'Lives in Berlin');
   * ```
   */
  replace(label: string, oldText: string, newText: string, options?: BlockWriteOptions): Promise<{ version: number }>;

  /** Every block of the scope, by label. */
  list(): Promise<Block[]>;

  /** Removes a block; resolves whether it existed. */
  delete(label: string, options?: BlockWriteOptions): Promise<boolean>;
}
