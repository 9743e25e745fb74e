import { ValidationError } from '../../errors.js';
import { typeName } from '../../values/keys.js';
import { MAX_HOST_LENGTH, MAX_LABEL_LENGTH, MAX_URL_LENGTH } from './limits.js';

/** The schemes a site URL may have; anything else (`file:`, `javascript:`, `data:`, …) is refused. */
export const ALLOWED_PROTOCOLS: readonly string[] = ['http:', 'https:', 'ws:', 'wss:'];

/** `scheme:` at the start of a string (RFC 3986 scheme syntax). */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** `host:port` with nothing or a path/query/fragment after it: a bare host, not a scheme. */
const HOST_PORT = /^[A-Za-z0-9.-]+:\d+(?:[/?#]|$)/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The key of a site: its host, normalized so every URL of one site gives the same key.
 *
 * Rules, in order:
 * 1. `url` must be a string of 1..2048 characters (surrounding whitespace trimmed) with no
 *    control characters (the WHATWG parser would silently delete tabs and newlines).
 * 2. Without a scheme it is taken as `https://` + input (`example.com/path`, `localhost:3000`,
 *    `[::1]:8080`, `//cdn.example.com`).
 * 3. It is parsed by the WHATWG URL parser (as browsers do), which lower-cases the host, turns an
 *    IDN into punycode (`Bücher.example` → `xn--bcher-kva.example`), canonicalizes IPv4
 *    (`0x7f.1` → `127.0.0.1`) and IPv6 (`[0:0::1]` → `[::1]`), and drops a default port.
 * 4. Only `http:`, `https:`, `ws:` and `wss:` are accepted.
 * 5. Scheme, userinfo, path, query and fragment are dropped; a non-default port is kept
 *    (`example.com:8080`; "default" is the URL's own scheme's, so `http://example.com:443` keeps it).
 * 6. One trailing dot is dropped (`example.com.` = `example.com`); empty labels, labels over 63
 *    characters and hosts over 253 characters are refused.
 * 7. One leading `www.` is dropped when what remains still has a dot (`www.example.com` →
 *    `example.com`, but `www.com` stays `www.com`).
 *
 * Anything refused throws `ValidationError` naming `field`.
 *
 * @example
 * ```ts
 * normalizeHost('https://www.Example.com:443/a?b'); // 'example.com'
 * normalizeHost('http://[::1]:3000/');              // '[::1]:3000'
 * ```
 */
export function normalizeHost(url: unknown, field = 'url'): string {
  if (typeof url !== 'string') throw new ValidationError(field, `must be a URL string, got ${typeName(url)}`);
  const text = url.trim();
  if (text.length === 0) throw new ValidationError(field, 'must not be empty');
  if (text.length > MAX_URL_LENGTH) throw new ValidationError(field, `must be at most ${MAX_URL_LENGTH} characters, got ${text.length}`);
  if (CONTROL.test(text)) throw new ValidationError(field, 'must not contain control characters');
  if (!text.isWellFormed()) throw new ValidationError(field, 'must not contain lone surrogates');

  const parsed = parse(withScheme(text), field);
  if (!ALLOWED_PROTOCOLS.includes(parsed.protocol)) {
    throw new ValidationError(field, `scheme "${parsed.protocol}" is not allowed; use http, https, ws or wss`);
  }
  const host = checkHost(parsed.hostname, field);
  const port = parsed.port === '' ? '' : `:${parsed.port}`;
  return `${host}${port}`;
}

function withScheme(text: string): string {
  if (text.startsWith('//')) return `https:${text}`;
  if (SCHEME.test(text) && !HOST_PORT.test(text)) return text;
  return `https://${text}`;
}

function parse(text: string, field: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new ValidationError(field, 'is not a valid URL');
  }
}

function checkHost(hostname: string, field: string): string {
  // IPv6 literals arrive bracketed and canonical; nothing more to check.
  if (hostname.startsWith('[')) return hostname;
  let host = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (host.length === 0) throw new ValidationError(field, 'has an empty host');
  if (host.length > MAX_HOST_LENGTH) throw new ValidationError(field, `host must be at most ${MAX_HOST_LENGTH} characters`);
  for (const label of host.split('.')) {
    if (label.length === 0) throw new ValidationError(field, `host "${hostname}" has an empty label`);
    if (label.length > MAX_LABEL_LENGTH) throw new ValidationError(field, `host label must be at most ${MAX_LABEL_LENGTH} characters`);
  }
  if (host.startsWith('www.') && host.indexOf('.', 4) > 4) host = host.slice(4);
  return host;
}
