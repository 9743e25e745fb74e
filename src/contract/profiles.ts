import { z } from 'zod';
import { ifVersion, json, key } from './op.js';
import { methodOps } from './method-op.js';
import type { ProfilesStore } from '../api/profiles.js';
import { MAX_PAGE_LIMIT } from '../values/limits.js';

const userId = key.describe('A user id: any non-empty string of at most 512 UTF-8 bytes.');
const profileEntry = z.object({ userId: z.string(), profile: z.record(z.string(), json), version: z.number().int(), updatedAt: z.number().int() });
const versionOnly = z.object({ ifVersion: ifVersion.optional() }).optional();

// `update` is a protocol (a compare-and-set loop over getEntry and set), written on the client.
export const profilesOps = methodOps<ProfilesStore, 'update'>()('profiles', {
  get: {
    summary: 'A user’s profile (no `result` when absent).',
    access: 'read',
    args: z.object({ userId }),
    result: z.record(z.string(), json),
    example: { args: { userId: 'u42' }, result: { name: 'Ada', languages: ['python'] } },
  },
  getEntry: {
    summary: 'A user’s profile with its version (for compare-and-set).',
    access: 'read',
    args: z.object({ userId }),
    result: profileEntry,
    example: { args: { userId: 'u42' }, result: { userId: 'u42', profile: { name: 'Ada' }, version: 9, updatedAt: 1764650000000 } },
  },
  set: {
    summary: 'Replaces a profile (an object); `options.ifVersion` makes it a compare-and-set.',
    access: 'write',
    args: z.object({ userId, profile: z.record(z.string(), json), options: versionOnly }),
    result: z.object({ version: z.number().int() }),
    example: { args: { userId: 'u42', profile: { name: 'Ada' }, options: { ifVersion: 9 } }, result: { version: 10 } },
  },
  delete: {
    summary: 'Deletes a profile; `true` if it existed.',
    access: 'write',
    args: z.object({ userId, options: versionOnly }),
    result: z.boolean(),
    example: { args: { userId: 'u42' }, result: true },
  },
  list: {
    summary: 'Profiles in user id order, a page at a time.',
    access: 'read',
    args: z.object({
      options: z
        .object({ prefix: z.string().optional(), limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).optional(), cursor: z.string().optional() })
        .optional(),
    }),
    result: z.object({ items: z.array(profileEntry), cursor: z.string().optional() }),
    example: { args: { options: { limit: 50 } }, result: { items: [] } },
  },
});
