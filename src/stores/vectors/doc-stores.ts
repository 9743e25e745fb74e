import { VECTORS, VECTORS_META } from '../names.js';

/**
 * Where a collection of searchable documents lives: the store of its documents and the store of
 * its meta (fixed dimension, collection id). Semantic memory uses `vectors`; curated memory keeps
 * its facts' versions in a collection of its own, searched by the same index.
 */
export interface DocStores {
  readonly docs: string;
  readonly meta: string;
}

/** The `vectors` store's collection. */
export const VECTOR_DOCS: DocStores = Object.freeze({ docs: VECTORS, meta: VECTORS_META });
