import { z } from 'zod';
import { ifVersion, json, key, op } from './op.js';
import { MAX_PAGE_LIMIT } from '../values/limits.js';

const userId = key.describe('A user id: any non-empty string of at most 512 UTF-8 bytes.');
const profileEntry = z.object({ userId: z.string(), profile: z.record(z.string(), json), version: z.number().int(), updatedAt: z.number().int() });
const versionOnly = z.object({ ifVersion: ifVersion.optional() }).optional();

export const profilesOps = [
  op({
    id: 'profiles.get',
    summary: 'A user’s profile (no `result` when absent).',
    access: 'read',
    args: z.object({ userId }),
    result: z.record(z.string(), json),
    example: { args: { userId: 'u42' }, result: { name: 'Ada', languages: ['python'] } },
    run: (s, a) => s.profiles.get(a.userId as string),
  }),
  op({
    id: 'profiles.getEntry',
    summary: 'A user’s profile with its version (for compare-and-set).',
    access: 'read',
    args: z.object({ userId }),
    result: profileEntry,
    example: { args: { userId: 'u42' }, result: { userId: 'u42', profile: { name: 'Ada' }, version: 9, updatedAt: 1764650000000 } },
    run: (s, a) => s.profiles.getEntry(a.userId as string),
  }),
  op({
    id: 'profiles.set',
    summary: 'Replaces a profile (an object); `options.ifVersion` makes it a compare-and-set.',
    access: 'write',
    args: z.object({ userId, profile: z.record(z.string(), json), options: versionOnly }),
    result: z.object({ version: z.number().int() }),
    example: { args: { userId: 'u42', profile: { name: 'Ada' }, options: { ifVersion: 9 } }, result: { version: 10 } },
    run: (s, a) => s.profiles.set(a.userId as string, a.profile as object, a.options as never),
  }),
  op({
    id: 'profiles.delete',
    summary: 'Deletes a profile; `true` if it existed.',
    access: 'write',
    args: z.object({ userId, options: versionOnly }),
    result: z.boolean(),
    example: { args: { userId: 'u42' }, result: true },
    run: (s, a) => s.profiles.delete(a.userId as string, a.options as never),
  }),
  op({
    id: 'profiles.list',
    summary: 'Profiles in user id order, a page at a time.',
    access: 'read',
    args: z.object({
      options: z
        .object({ prefix: z.string().optional(), limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).optional(), cursor: z.string().optional() })
        .optional(),
    }),
    result: z.object({ items: z.array(profileEntry), cursor: z.string().optional() }),
    example: { args: { options: { limit: 50 } }, result: { items: [] } },
    run: (s, a) => s.profiles.list(a.options as never),
  }),
];
