import type { StoreContext } from '../context.js';

/** Critical sections that span async work, with leases kept in the engine. (Being built.) */
export class LocksStore {
  constructor(protected readonly ctx: StoreContext) {}
}
