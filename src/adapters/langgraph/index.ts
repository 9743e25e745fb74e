export { MemexSaver } from './saver.js';
