import { randomBytes } from 'node:crypto';
import type { ChannelVersions, Checkpoint } from '@langchain/langgraph-checkpoint';
import { ValidationError } from '../../errors.js';

/**
 * Channel versions as `MemexSaver` mints them: `<counter, 32 digits>.<16 random hex digits>`.
 *
 * A channel value is stored once per (thread, namespace, channel, version). LangGraph's default
 * versions are integers (`max + 1`), so two branches grown from one checkpoint — a replay from an
 * earlier `checkpoint_id`, an `updateState` fork, two processes invoking one thread — mint the same
 * versions and the later branch's value would replace the earlier one's (langgraphjs #1812). The
 * random part makes every minted version unique; the fixed-width counter in front keeps LangGraph's
 * comparisons right: it compares versions with `>` and `localeCompare`, and for strings of digits,
 * `.` and lowercase hex of one width both orders are the counter's order. LangGraph's Python
 * savers mint versions of the same shape (counter first), so their counters read the same way.
 */
const COUNTER_DIGITS = 32;

/** A version Memex wrote before versions were unique: an integer, shown as its padded counter alone. */
const LEGACY = new RegExp(`^\\d{${COUNTER_DIGITS}}$`);
/** The counter a version starts with. */
const COUNTER = new RegExp(`^\\d{1,${COUNTER_DIGITS}}$`);

const pad = (counter: number): string => String(counter).padStart(COUNTER_DIGITS, '0');

/**
 * The version after `current`: the highest version of the checkpoint, or none (`undefined`, or
 * `''`, LangGraph's "no version" for string versions) before the first.
 */
export function nextVersion(current: string | number | undefined): string | number {
  // Integers reach here only from checkpoints a caller put with its own integer versions; a
  // string there would not compare with them (`'…' > 3` is false), so integers stay integers.
  if (typeof current === 'number') return current + 1;
  const head = current === undefined || current === '' ? '0' : current.split('.')[0]!;
  const counter = COUNTER.test(head) ? Number(head) : NaN;
  if (!Number.isSafeInteger(counter))
    throw new ValidationError(
      'channel_versions',
      `"${String(current)}" does not start with a version counter; versions must come from getNextVersion`,
    );
  return `${pad(counter + 1)}.${randomBytes(8).toString('hex')}`;
}

/**
 * The version string a channel value is stored under. Integer versions (records written before
 * versions were unique) and their padded form (how reads present them, and so how checkpoints
 * made from them carry them) both name the blob the integer version was stored as.
 */
export function blobVersion(v: string | number): string {
  return typeof v === 'string' && LEGACY.test(v) ? String(Number(v)) : String(v);
}

/**
 * A checkpoint written before versions were unique, with its integer versions (channel versions
 * and every node's versions seen) as strings: LangGraph then mints string versions after them,
 * and a checkpoint must not mix the two kinds (a string never compares greater than a number).
 * Each integer becomes its padded counter alone, which sorts before every version minted after it.
 */
export function withStringVersions(checkpoint: Checkpoint): void {
  checkpoint.channel_versions = stringVersions(checkpoint.channel_versions);
  // fromEntries, not assignment: a node or channel named `__proto__` stays an own key.
  checkpoint.versions_seen = Object.fromEntries(Object.entries(checkpoint.versions_seen ?? {}).map(([node, seen]) => [node, stringVersions(seen)]));
}

function stringVersions(versions: ChannelVersions | undefined): ChannelVersions {
  return Object.fromEntries(
    Object.entries(versions ?? {}).map(([channel, v]) => [channel, typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? pad(v) : v]),
  );
}
