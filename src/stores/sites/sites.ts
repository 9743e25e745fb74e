import type { StoreContext } from '../context.js';

/** What a browser agent learned about websites, keyed by normalized host. (Being built.) */
export class SitesStore {
  constructor(protected readonly ctx: StoreContext) {}
}
