/**
 * Sites store input handling: the host normalization table, and guarantee 7 ("fails closed on
 * bad input") for every method — each malformed call rejects with a ValidationError naming the
 * field, appends no event and leaves the seeded record exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError, type Memex, type SitesStore } from '../../index.js';
import { normalizeHost } from '../../stores/sites/normalize-host.js';
import type { SuiteEnv } from '../target.js';

export function sitesInputsSuite(env: SuiteEnv): void {
  /** Passes a deliberately ill-typed argument through the typed API. */
  const bad = (v: unknown): never => v as never;

  let mx: Memex;
  let sites: SitesStore;
  const SEEDED = 'seeded.example';

  beforeAll(async () => {
    mx = await env.openTestMemex();
    sites = mx.sites;
    await sites.recordVisit(SEEDED, { ok: true, durationMs: 5, note: 'seed' });
    await sites.cacheSelector(SEEDED, 'name', '#sel');
    await sites.recordQuirk(SEEDED, 'a quirk');
    await sites.cacheActionPattern(SEEDED, 'intent', [{ click: '#a' }]);
  });
  afterAll(async () => {
    await mx.close();
    await env.cleanup();
  });

  const GOOD: readonly (readonly [input: string, host: string])[] = [
    ['https://www.Example.com:443/a?b', 'example.com'],
    ['http://example.com', 'example.com'],
    ['HTTPS://EXAMPLE.COM/PATH/To?Q=1', 'example.com'],
    ['https://WWW.EXAMPLE.COM', 'example.com'],
    ['https://example.com:8080/x', 'example.com:8080'],
    ['http://example.com:80/', 'example.com'],
    ['http://example.com:443/', 'example.com:443'], // 443 is not http's default port
    ['https://Bücher.example/', 'xn--bcher-kva.example'],
    ['https://www.Bücher.example', 'xn--bcher-kva.example'],
    ['https://xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['https://ß.de', 'xn--zca.de'],
    ['https://😀.example', 'xn--e28h.example'],
    ['http://[::1]:3000/', '[::1]:3000'],
    ['http://[0:0:0:0:0:0:0:1]/', '[::1]'],
    ['https://[2001:DB8::1]:443/', '[2001:db8::1]'],
    ['http://[2001:db8::1]:8443/', '[2001:db8::1]:8443'],
    ['http://192.168.0.1:8080/admin', '192.168.0.1:8080'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['example.com/path?q=1', 'example.com'],
    ['www.example.com', 'example.com'],
    ['Example.COM', 'example.com'],
    ['localhost:3000', 'localhost:3000'],
    ['localhost', 'localhost'],
    ['bücher.example:8080/x', 'xn--bcher-kva.example:8080'],
    ['user@example.com:8080', 'example.com:8080'],
    ['127.0.0.1:8080/x', '127.0.0.1:8080'],
    ['[::1]:8080', '[::1]:8080'],
    ['//cdn.example.com/lib.js', 'cdn.example.com'],
    ['https://user:pass@example.com/', 'example.com'],
    ['https://example.com/#frag', 'example.com'],
    ['https://example.com./', 'example.com'],
    ['  https://example.com  ', 'example.com'],
    ['wss://socket.example.com:443/ws', 'socket.example.com'],
    ['ws://example.com:8080', 'example.com:8080'],
    ['https://www.com', 'www.com'],
    ['https://www2.example.com', 'www2.example.com'],
    ['https://sub.www.example.com', 'sub.www.example.com'],
    ['https://shop.example.co.uk/', 'shop.example.co.uk'],
    ['https:example.com', 'example.com'],
  ];

  const BAD: readonly (readonly [label: string, input: unknown])[] = [
    ['empty', ''],
    ['blank', '   '],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an object', { href: 'https://example.com' }],
    ['a URL object', new URL('https://example.com')],
    ['no host (http://)', 'http://'],
    ['no host (https:///)', 'https:///'],
    ['javascript:', 'javascript:alert(1)'],
    ['file:', 'file:///etc/passwd'],
    ['ftp:', 'ftp://example.com/'],
    ['mailto:', 'mailto:someone@example.com'],
    ['data:', 'data:text/html,<b>hi</b>'],
    ['about:', 'about:blank'],
    ['chrome:', 'chrome://settings'],
    ['a space in the host', 'http://exa mple.com'],
    ['a newline in the host', 'https://exa\nmple.com'],
    ['a NUL', 'https://example.com/\0'],
    ['an empty label', 'https://a..b.com'],
    ['a leading dot', 'https://.example.com'],
    ['only a dot', 'http://./'],
    ['two trailing dots', 'https://example.com..'],
    ['a 64-character label', `https://${'a'.repeat(64)}.com`],
    ['a 254-character host', `https://${Array(51).fill('abcd').join('.')}`],
    ['an IPv4 octet over 255', 'http://1.2.3.256/'],
    ['port 65536', 'https://example.com:65536'],
    ['an unclosed IPv6 bracket', 'http://[::1'],
    ['a lone surrogate', 'https://\uD800.com'],
    ['over 2048 characters', `https://example.com/${'a'.repeat(2040)}`],
  ];

  describe('sites: host normalization', () => {
    it.each(GOOD)('%j → %s', async (input, host) => {
      expect(normalizeHost(input)).toBe(host);
    });

    it('every URL form of one site reaches the same record', async () => {
      const forms = ['https://www.Example.org:443/a?b', 'example.org', 'HTTP://EXAMPLE.ORG:80/#x', 'www.example.org/path', 'wss://example.org'];
      for (const f of forms) await sites.recordVisit(f, { ok: true });
      expect((await sites.profile('example.org'))?.visits).toBe(forms.length);
      expect(await sites.profile('example.org:8080')).toBeUndefined();
    });

    it.each(BAD)('refuses %s: ValidationError on url, nothing written', async (_label, input) => {
      expect(() => normalizeHost(input)).toThrow(ValidationError);
      const seq = await mx.events.lastSeq();
      const err: unknown = await sites.recordVisit(bad(input), { ok: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe('url');
      await expect(sites.profile(bad(input))).rejects.toMatchObject({ field: 'url' });
      expect(await mx.events.lastSeq()).toBe(seq);
    });
  });

  interface Row {
    readonly name: string;
    readonly call: (s: SitesStore) => Promise<unknown>;
    readonly field: string | RegExp;
  }

  const S = SEEDED;
  const long = (n: number) => 'x'.repeat(n);
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  const sparse: unknown[] = [];
  sparse[0] = 1;
  sparse[2] = 3;

  const ROWS: readonly Row[] = [
    // every method's url
    { name: 'profile: url number', call: (s) => s.profile(bad(1)), field: 'url' },
    { name: 'recordVisit: url javascript:', call: (s) => s.recordVisit('javascript:alert(1)', { ok: true }), field: 'url' },
    { name: 'cacheSelector: url empty', call: (s) => s.cacheSelector('', 'n', '#a'), field: 'url' },
    { name: 'selector: url file:', call: (s) => s.selector('file:///x', 'n'), field: 'url' },
    { name: 'reportSelector: url null', call: (s) => s.reportSelector(bad(null), 'n', true), field: 'url' },
    { name: 'recordQuirk: url http://', call: (s) => s.recordQuirk('http://', 'q'), field: 'url' },
    { name: 'quirks: url object', call: (s) => s.quirks(bad({})), field: 'url' },
    { name: 'cacheActionPattern: url ftp:', call: (s) => s.cacheActionPattern('ftp://x.com', 'i', [1]), field: 'url' },
    { name: 'actionPattern: url undefined', call: (s) => s.actionPattern(bad(undefined), 'i'), field: 'url' },
    { name: 'contextForPrompt: url bad port', call: (s) => s.contextForPrompt('https://x.com:99999'), field: 'url' },
    // recordVisit options
    { name: 'recordVisit: no options', call: (s) => s.recordVisit(S, bad(undefined)), field: 'visit' },
    { name: 'recordVisit: options null', call: (s) => s.recordVisit(S, bad(null)), field: 'visit' },
    { name: 'recordVisit: options array', call: (s) => s.recordVisit(S, bad([true])), field: 'visit' },
    { name: 'recordVisit: options boolean', call: (s) => s.recordVisit(S, bad(true)), field: 'visit' },
    { name: 'recordVisit: ok missing', call: (s) => s.recordVisit(S, bad({ durationMs: 5 })), field: 'visit.ok' },
    { name: 'recordVisit: ok a string', call: (s) => s.recordVisit(S, bad({ ok: 'yes' })), field: 'visit.ok' },
    { name: 'recordVisit: ok 1', call: (s) => s.recordVisit(S, bad({ ok: 1 })), field: 'visit.ok' },
    { name: 'recordVisit: durationMs negative', call: (s) => s.recordVisit(S, { ok: true, durationMs: -1 }), field: 'visit.durationMs' },
    { name: 'recordVisit: durationMs NaN', call: (s) => s.recordVisit(S, { ok: true, durationMs: NaN }), field: 'visit.durationMs' },
    { name: 'recordVisit: durationMs Infinity', call: (s) => s.recordVisit(S, { ok: true, durationMs: Infinity }), field: 'visit.durationMs' },
    { name: 'recordVisit: durationMs over a day', call: (s) => s.recordVisit(S, { ok: true, durationMs: 86_400_001 }), field: 'visit.durationMs' },
    { name: 'recordVisit: durationMs a string', call: (s) => s.recordVisit(S, bad({ ok: true, durationMs: '5' })), field: 'visit.durationMs' },
    { name: 'recordVisit: note a number', call: (s) => s.recordVisit(S, bad({ ok: true, note: 5 })), field: 'visit.note' },
    { name: 'recordVisit: note blank', call: (s) => s.recordVisit(S, { ok: true, note: ' \n\t ' }), field: 'visit.note' },
    { name: 'recordVisit: note 301 chars', call: (s) => s.recordVisit(S, { ok: true, note: long(301) }), field: 'visit.note' },
    { name: 'recordVisit: note with NUL', call: (s) => s.recordVisit(S, { ok: true, note: 'a\0b' }), field: 'visit.note' },
    { name: 'recordVisit: note with NEL (U+0085)', call: (s) => s.recordVisit(S, { ok: true, note: 'a\u0085b' }), field: 'visit.note' },
    { name: 'recordVisit: note lone surrogate', call: (s) => s.recordVisit(S, { ok: true, note: 'a\uDC00' }), field: 'visit.note' },
    { name: 'recordVisit: unknown option', call: (s) => s.recordVisit(S, bad({ ok: true, duration: 5 })), field: 'visit.duration' },
    // cacheSelector / selector / reportSelector
    { name: 'cacheSelector: name empty', call: (s) => s.cacheSelector(S, '', '#a'), field: 'name' },
    { name: 'cacheSelector: name blank', call: (s) => s.cacheSelector(S, '   ', '#a'), field: 'name' },
    { name: 'cacheSelector: name padded', call: (s) => s.cacheSelector(S, ' name', '#a'), field: 'name' },
    { name: 'cacheSelector: name a number', call: (s) => s.cacheSelector(S, bad(7), '#a'), field: 'name' },
    { name: 'cacheSelector: name 101 chars', call: (s) => s.cacheSelector(S, long(101), '#a'), field: 'name' },
    { name: 'cacheSelector: name with newline', call: (s) => s.cacheSelector(S, 'a\nb', '#a'), field: 'name' },
    { name: 'cacheSelector: selector empty', call: (s) => s.cacheSelector(S, 'n', ''), field: 'selector' },
    { name: 'cacheSelector: selector blank', call: (s) => s.cacheSelector(S, 'n', ' \t '), field: 'selector' },
    { name: 'cacheSelector: selector 501 chars', call: (s) => s.cacheSelector(S, 'n', long(501)), field: 'selector' },
    { name: 'cacheSelector: selector null', call: (s) => s.cacheSelector(S, 'n', bad(null)), field: 'selector' },
    { name: 'cacheSelector: selector with newline', call: (s) => s.cacheSelector(S, 'n', 'div\n> a'), field: 'selector' },
    { name: 'cacheSelector: selector lone surrogate', call: (s) => s.cacheSelector(S, 'n', '#\uD800'), field: 'selector' },
    { name: 'selector: name missing', call: (s) => s.selector(S, bad(undefined)), field: 'name' },
    { name: 'reportSelector: name empty', call: (s) => s.reportSelector(S, '', true), field: 'name' },
    { name: 'reportSelector: ok a string', call: (s) => s.reportSelector(S, 'name', bad('true')), field: 'ok' },
    { name: 'reportSelector: ok missing', call: (s) => s.reportSelector(S, 'name', bad(undefined)), field: 'ok' },
    { name: 'reportSelector: selector a number', call: (s) => s.reportSelector(S, 'name', false, bad(1)), field: 'selector' },
    { name: 'reportSelector: selector 501 chars', call: (s) => s.reportSelector(S, 'name', true, long(501)), field: 'selector' },
    // quirks
    { name: 'recordQuirk: text empty', call: (s) => s.recordQuirk(S, ''), field: 'text' },
    { name: 'recordQuirk: text blank', call: (s) => s.recordQuirk(S, '\n \u00a0'), field: 'text' },
    { name: 'recordQuirk: text 301 chars', call: (s) => s.recordQuirk(S, long(301)), field: 'text' },
    { name: 'recordQuirk: text an array', call: (s) => s.recordQuirk(S, bad(['q'])), field: 'text' },
    { name: 'recordQuirk: text with BEL', call: (s) => s.recordQuirk(S, 'ring\u0007'), field: 'text' },
    // action patterns
    { name: 'cacheActionPattern: intent empty', call: (s) => s.cacheActionPattern(S, '', [1]), field: 'intent' },
    { name: 'cacheActionPattern: intent 201 chars', call: (s) => s.cacheActionPattern(S, long(201), [1]), field: 'intent' },
    { name: 'cacheActionPattern: intent a number', call: (s) => s.cacheActionPattern(S, bad(1), [1]), field: 'intent' },
    { name: 'cacheActionPattern: steps an object', call: (s) => s.cacheActionPattern(S, 'i', bad({ 0: 'a' })), field: 'steps' },
    { name: 'cacheActionPattern: steps a string', call: (s) => s.cacheActionPattern(S, 'i', bad('click')), field: 'steps' },
    { name: 'cacheActionPattern: steps empty', call: (s) => s.cacheActionPattern(S, 'i', []), field: 'steps' },
    { name: 'cacheActionPattern: 51 steps', call: (s) => s.cacheActionPattern(S, 'i', Array(51).fill(1)), field: 'steps' },
    { name: 'cacheActionPattern: steps over 8 KiB', call: (s) => s.cacheActionPattern(S, 'i', [long(8200)]), field: 'steps' },
    { name: 'cacheActionPattern: a function step', call: (s) => s.cacheActionPattern(S, 'i', [() => 1]), field: 'steps[0]' },
    { name: 'cacheActionPattern: a NaN step', call: (s) => s.cacheActionPattern(S, 'i', [{ wait: NaN }]), field: 'steps[0].wait' },
    { name: 'cacheActionPattern: a BigInt step', call: (s) => s.cacheActionPattern(S, 'i', [10n]), field: 'steps[0]' },
    { name: 'cacheActionPattern: a Date step', call: (s) => s.cacheActionPattern(S, 'i', [new Date(0)]), field: 'steps[0]' },
    { name: 'cacheActionPattern: a cycle', call: (s) => s.cacheActionPattern(S, 'i', cyclic), field: /^steps/ },
    { name: 'cacheActionPattern: sparse steps', call: (s) => s.cacheActionPattern(S, 'i', sparse), field: 'steps[1]' },
    {
      name: 'cacheActionPattern: __proto__ key',
      call: (s) => s.cacheActionPattern(S, 'i', [JSON.parse('{"__proto__":{"polluted":1}}')]),
      field: 'steps[0].__proto__',
    },
    { name: 'actionPattern: intent blank', call: (s) => s.actionPattern(S, ' '), field: 'intent' },
    // contextForPrompt
    { name: 'contextForPrompt: maxChars 0', call: (s) => s.contextForPrompt(S, { maxChars: 0 }), field: 'options.maxChars' },
    { name: 'contextForPrompt: maxChars 100001', call: (s) => s.contextForPrompt(S, { maxChars: 100_001 }), field: 'options.maxChars' },
    { name: 'contextForPrompt: maxChars 1.5', call: (s) => s.contextForPrompt(S, { maxChars: 1.5 }), field: 'options.maxChars' },
    { name: 'contextForPrompt: maxChars a string', call: (s) => s.contextForPrompt(S, bad({ maxChars: '100' })), field: 'options.maxChars' },
    { name: 'contextForPrompt: maxChars null', call: (s) => s.contextForPrompt(S, bad({ maxChars: null })), field: 'options.maxChars' },
    { name: 'contextForPrompt: options a number', call: (s) => s.contextForPrompt(S, bad(500)), field: 'options' },
    { name: 'contextForPrompt: unknown option', call: (s) => s.contextForPrompt(S, bad({ max: 5 })), field: 'options.max' },
  ];

  describe('sites: malformed input', () => {
    it(`has at least 25 rows (${ROWS.length})`, () => {
      expect(ROWS.length).toBeGreaterThanOrEqual(25);
    });

    it.each(ROWS)('$name → ValidationError($field), nothing changes', async ({ call, field }) => {
      for (const s of [sites, mx.scope('other/ns').sites]) {
        const seq = await mx.events.lastSeq();
        const before = JSON.stringify(await sites.profile(S));
        const err: unknown = await call(s).then(
          (v) => new Error(`resolved with ${JSON.stringify(v)}`),
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).code).toBe('invalid_input');
        if (typeof field === 'string') expect((err as ValidationError).field).toBe(field);
        else expect((err as ValidationError).field).toMatch(field);
        expect(await mx.events.lastSeq()).toBe(seq);
        expect(JSON.stringify(await sites.profile(S))).toBe(before);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }
    });

    it('the valid edges next to each limit are accepted', async () => {
      const t = 'edge.example';
      await sites.recordVisit(t, { ok: false, durationMs: 86_400_000, note: long(300) });
      await sites.cacheSelector(t, long(100), long(500));
      await sites.reportSelector(t, long(100), true, long(500));
      await sites.recordQuirk(t, long(300));
      await sites.cacheActionPattern(t, long(200), Array(50).fill(1));
      await sites.cacheActionPattern(t, 'big', [long(8000)]);
      expect((await sites.contextForPrompt(t, { maxChars: 1 })).length).toBe(1);
      expect((await sites.contextForPrompt(t, { maxChars: 100_000 })).length).toBeGreaterThan(9000);
      const p = await sites.profile(t);
      expect(p?.selectors[0]?.candidates[0]?.successes).toBe(1);
      expect(p?.actions).toHaveLength(2);
    });
  });
}
