import type { ConversationsStore } from '../api/conversations.js';
import type { ListPage } from '../api/list.js';
import type { SitesStore } from '../api/sites.js';
import type { Message, NewMessage, ThreadInfo } from '../stores/conversations/message.js';
import type { SiteProfile } from '../stores/sites/site-profile.js';
import type { DeepReadonly } from '../values/freeze.js';
import type { HttpTransport } from './http.js';
import { frozen } from './kv.js';

/** conversations over HTTP; see {@link ConversationsStore}. */
export class RemoteConversations implements ConversationsStore {
  constructor(
    private readonly http: HttpTransport,
    private readonly ns: string,
  ) {}
  private async call<T>(op: string, args: Record<string, unknown>): Promise<T> {
    return frozen(await this.http.call<T>(`conversations.${op}`, this.ns, args));
  }
  append(threadId: string, message: NewMessage): Promise<Message> {
    return this.call('append', { threadId, message });
  }
  recent(threadId: string, limit?: number): Promise<Message[]> {
    return this.call('recent', { threadId, limit });
  }
  page(threadId: string, options: { beforeSeq?: number; limit: number }): Promise<Message[]> {
    return this.call('page', { threadId, options });
  }
  get(threadId: string): Promise<ThreadInfo | undefined> {
    return this.call('get', { threadId });
  }
  list(options?: { limit?: number; activeSince?: number }): Promise<ThreadInfo[]> {
    return this.call('list', { options });
  }
  delete(threadId: string): Promise<boolean> {
    return this.call('delete', { threadId });
  }
}

/** sites over HTTP; see {@link SitesStore}. */
export class RemoteSites implements SitesStore {
  constructor(
    private readonly http: HttpTransport,
    private readonly ns: string,
  ) {}
  private async call<T>(op: string, args: Record<string, unknown>): Promise<T> {
    return frozen(await this.http.call<T>(`sites.${op}`, this.ns, args));
  }
  profile(url: string): Promise<SiteProfile | undefined> {
    return this.call('profile', { url });
  }
  list(options?: { prefix?: string; limit?: number; cursor?: string }): Promise<ListPage<SiteProfile>> {
    return this.call('list', options === undefined ? {} : { options });
  }
  recordVisit(url: string, visit: { ok: boolean; durationMs?: number; note?: string }): Promise<SiteProfile> {
    return this.call('recordVisit', { url, visit });
  }
  async cacheSelector(url: string, name: string, selector: string): Promise<void> {
    await this.call('cacheSelector', { url, name, selector });
  }
  selector(url: string, name: string): Promise<string | undefined> {
    return this.call('selector', { url, name });
  }
  reportSelector(url: string, name: string, ok: boolean, selector?: string): Promise<string | undefined> {
    return this.call('reportSelector', { url, name, ok, selector });
  }
  recordQuirk(url: string, text: string): Promise<boolean> {
    return this.call('recordQuirk', { url, text });
  }
  quirks(url: string): Promise<readonly string[]> {
    return this.call('quirks', { url });
  }
  async cacheActionPattern(url: string, intent: string, steps: readonly unknown[]): Promise<void> {
    await this.call('cacheActionPattern', { url, intent, steps });
  }
  actionPattern<T = unknown>(url: string, intent: string): Promise<readonly DeepReadonly<T>[] | undefined> {
    return this.call('actionPattern', { url, intent });
  }
  contextForPrompt(url: string, options?: { maxChars?: number }): Promise<string> {
    return this.call('contextForPrompt', { url, options });
  }
}
