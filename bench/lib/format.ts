/** Markdown formatting helpers. */

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** 12,345 */
export const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Milliseconds with 3 significant digits (µs below 0.1 ms reads as e.g. 0.0123). */
export function ms(n: number): string {
  if (n === 0) return '0';
  if (n >= 100) return n.toFixed(0);
  return n.toPrecision(3);
}

/** 0.85x, 12.3x, 450x */
export function ratio(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (n >= 100) return `${n.toFixed(0)}x`;
  if (n >= 10) return `${n.toFixed(1)}x`;
  return `${n.toFixed(2)}x`;
}

export function errors(e: Record<string, number>): string {
  const parts = Object.entries(e).map(([code, n]) => `${code}: ${n}`);
  return parts.length === 0 ? '0' : parts.join(', ');
}

/** The q-quantile of exact values (nearest rank), 0 for none. */
export function quantileOf(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}
