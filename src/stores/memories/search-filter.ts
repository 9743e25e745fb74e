import type { FilterNode, FilterPath } from '../../engine/filter-ast.js';
import { parseFilter } from '../vectors/filter.js';

const missing = (field: string): FilterNode => ({ op: 'exists', path: [field], exists: false });
const cmp = (field: string, c: 'lte' | 'gt', value: number): FilterNode => ({ op: 'cmp', path: [field], cmp: c, value });
const or = (...of: FilterNode[]): FilterNode => ({ op: 'or', of });
const and = (...of: FilterNode[]): FilterNode => (of.length === 1 ? of[0]! : { op: 'and', of });

/** The caller's filter, with every path moved under `m` (where a version's document keeps the fact's metadata). */
function underM(n: FilterNode): FilterNode {
  const p = (path: FilterPath): FilterPath => ['m', ...path];
  switch (n.op) {
    case 'and':
    case 'or':
      return { op: n.op, of: n.of.map(underM) };
    case 'not':
      return { op: 'not', of: underM(n.of) };
    default:
      return { ...n, path: p(n.path) };
  }
}

/** Which versions a search or a consolidation looks at (see `DocMeta` in records.ts). */
export interface VersionScope {
  asOf?: number;
  validAt?: number;
  includeInvalid?: boolean;
}

/**
 * The filter over version documents that answers a query's times:
 * - by default, the current version of each fact still believed: not superseded, not invalidated;
 * - `asOf` T: the version current at T (recorded by T, not superseded by T) of a fact not invalid at T;
 * - `validAt` V: of those (or of every current version), the ones whose validity holds V —
 *   invalidated facts included, since they were true then;
 * - `includeInvalid`: invalid facts too.
 */
export function versionFilter(q: VersionScope, userFilter: Record<string, unknown> | undefined): FilterNode {
  const parts: FilterNode[] = [];
  if (q.asOf === undefined) parts.push(missing('sup'));
  else parts.push(cmp('rec', 'lte', q.asOf), or(missing('sup'), cmp('sup', 'gt', q.asOf)));
  if (q.validAt !== undefined) {
    parts.push(or(missing('vf'), cmp('vf', 'lte', q.validAt)), or(missing('vt'), cmp('vt', 'gt', q.validAt)));
  } else if (q.includeInvalid !== true) {
    parts.push(q.asOf === undefined ? missing('inv') : or(missing('inv'), cmp('inv', 'gt', q.asOf)));
  }
  if (userFilter !== undefined) parts.push(underM(parseFilter(userFilter, 'query.filter')));
  return and(...parts);
}

/** Whether a search needs every version (a time, or invalid facts), or only the believed facts. */
export const needsVersions = (q: VersionScope): boolean => q.asOf !== undefined || q.validAt !== undefined || q.includeInvalid === true;

/** The caller's metadata filter over the believed facts' documents (their metadata is under `m` too). */
export const believedFilter = (userFilter: Record<string, unknown> | undefined): FilterNode | undefined =>
  userFilter === undefined ? undefined : underM(parseFilter(userFilter, 'query.filter'));
