export { buildServer, type ServerOptions } from './app.js';
export { Tokens, tokensFileSchema, type Principal } from './tokens.js';
