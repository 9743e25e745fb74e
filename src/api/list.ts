export interface ListOptions {
  /** Only keys starting with this string. */
  prefix?: string;
  /** Page size, 1..1000. @default 100 */
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string;
}

export interface ListPage<T> {
  readonly items: T[];
  /** Present when more items follow; pass it back as `cursor`. */
  readonly cursor?: string;
}
