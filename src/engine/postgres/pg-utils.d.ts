// pg exports its lib/ modules ("./lib/*" in its package.json) but @types/pg does not describe them.
declare module 'pg/lib/utils' {
  /** The text pg itself sends for a bound parameter (arrays as array literals, dates, buffers…). */
  export function prepareValue(value: unknown): unknown;
}
