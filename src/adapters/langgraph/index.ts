export { MemexSaver } from './saver.js';
export { MemexStore, type MemexStoreOptions } from './store.js';
