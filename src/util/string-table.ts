// A compact, exact set of strings (or map from strings to unsigned 32-bit integers) for the per-row indexes of a
// run over millions of rows: the resume keys of a scan folder and the duplicate-id check of a manifest.
//
// A JS Set<string> of short ids costs about 90 bytes an entry (the string, the hash-table entry, V8's slack), a
// Map<string, number> about 100. Here a key costs its UTF-8 bytes plus a 4-byte length in an arena of 1 MiB
// chunks, and 12 bytes of slot (arena offset, hash, value) in an open-addressing table kept between 35 and 70 %
// full: about 40 bytes for a 16-character id. Keys are compared byte for byte, so it is exact: no false hits.

import { FNV_BASIS, fnv1aStep, mix32 } from './hash.js';

const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
/** Keys longer than this (not ids anyone writes) go to a plain Map instead of the arena. */
const MAX_ARENA_KEY = 64 * 1024;
const MAX_LOAD = 0.7;
const EMPTY = 0;

/** A 32-bit hash of bytes: FNV-1a, then a finaliser so that the low bits (the table index) are well mixed. */
function hashBytes(bytes: Uint8Array, length: number): number {
  let h = FNV_BASIS;
  for (let i = 0; i < length; i++) h = fnv1aStep(h, bytes[i] as number);
  return mix32(h);
}

/**
 * An exact string -> uint32 table in typed arrays (see the file comment for its size). `add`/`has` use it as a
 * set, `set`/`get` as a map. Keys cannot be deleted one by one; `clear()` frees everything.
 * @example const t = new StringTable(); t.set('id:a', 7); t.get('id:a') === 7; t.has('id:b') === false
 */
export class StringTable {
  private chunks: Uint8Array[] = [];
  /** Bytes used in the last chunk. */
  private tail = CHUNK;
  /** Per slot: 1 + the key's arena address (chunk << 20 | position), 0 when empty. */
  private addr = new Uint32Array(0);
  private hashes = new Uint32Array(0);
  private values = new Uint32Array(0);
  private count = 0;
  private readonly long = new Map<string, number>();
  private readonly encoder = new TextEncoder();
  private scratch = new Uint8Array(256);

  /** Number of distinct keys. */
  get size(): number {
    return this.count + this.long.size;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Adds `key` (a set member; its value is 0 unless `set` gave it one). */
  add(key: string): this {
    this.putIfAbsent(key, 0);
    return this;
  }

  /**
   * The value `key` already has; when it has none, stores `value` for it and returns undefined. One lookup for the
   * usual check-then-insert (a first sighting, or the row an id was first seen at).
   */
  putIfAbsent(key: string, value: number): number | undefined {
    return this.put(key, value, false);
  }

  /** The value stored for `key`, or undefined when it is not in the table. */
  get(key: string): number | undefined {
    const length = this.encode(key);
    if (length > MAX_ARENA_KEY) return this.long.get(key);
    if (this.count === 0) return undefined;
    const slot = this.find(hashBytes(this.scratch, length), length);
    return this.addr[slot] === EMPTY ? undefined : this.values[slot];
  }

  /** Stores `value` (a whole number 0 .. 2^32-1) for `key`, replacing any value it had. */
  set(key: string, value: number): this {
    this.put(key, value, true);
    return this;
  }

  /** Stores `value` for `key` when it is new, or when `replace`; returns the value it had before (or undefined). */
  private put(key: string, value: number, replace: boolean): number | undefined {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`StringTable values are whole numbers from 0 to 2^32-1, got ${value}`);
    }
    const length = this.encode(key);
    if (length > MAX_ARENA_KEY) {
      const had = this.long.get(key);
      if (had === undefined || replace) this.long.set(key, value);
      return had;
    }
    if (this.count + 1 > this.addr.length * MAX_LOAD) this.grow();
    const hash = hashBytes(this.scratch, length);
    const slot = this.find(hash, length);
    if (this.addr[slot] !== EMPTY) {
      const had = this.values[slot];
      if (replace) this.values[slot] = value;
      return had;
    }
    this.addr[slot] = this.store(length) + 1;
    this.hashes[slot] = hash;
    this.values[slot] = value;
    this.count++;
    return undefined;
  }

  /** Forgets every key and hands the memory back. */
  clear(): void {
    this.chunks = [];
    this.tail = CHUNK;
    this.addr = new Uint32Array(0);
    this.hashes = new Uint32Array(0);
    this.values = new Uint32Array(0);
    this.count = 0;
    this.long.clear();
  }

  /** Encodes `key` as UTF-8 into the scratch buffer (grown as needed); returns its length in bytes. */
  private encode(key: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (key.length * 3 > this.scratch.length) this.scratch = new Uint8Array(key.length * 3);
    return this.encoder.encodeInto(key, this.scratch).written;
  }

  /** The slot holding the scratch key (hash `hash`, `length` bytes), or the empty slot where it would go. */
  private find(hash: number, length: number): number {
    const mask = this.addr.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const a = this.addr[slot] as number;
      if (a === EMPTY) return slot;
      if (this.hashes[slot] === hash && this.equalsScratch(a - 1, length)) return slot;
    }
  }

  /** Whether the arena key at `address` equals the first `length` scratch bytes. */
  private equalsScratch(address: number, length: number): boolean {
    const chunk = this.chunks[address >>> CHUNK_BITS] as Uint8Array;
    let at = address & (CHUNK - 1);
    const stored = (chunk[at] as number) | ((chunk[at + 1] as number) << 8) | ((chunk[at + 2] as number) << 16);
    if (stored !== length) return false;
    at += 3;
    for (let i = 0; i < length; i++) if (chunk[at + i] !== this.scratch[i]) return false;
    return true;
  }

  /** Copies the scratch key (3-byte length, then its bytes) into the arena; returns its address. */
  private store(length: number): number {
    const need = length + 3;
    if (this.tail + need > CHUNK) {
      if (this.chunks.length >= 4095) throw new RangeError('StringTable is full (4 GiB of keys)');
      this.chunks.push(new Uint8Array(CHUNK));
      this.tail = 0;
    }
    const index = this.chunks.length - 1;
    const chunk = this.chunks[index] as Uint8Array;
    const at = this.tail;
    chunk[at] = length & 0xff;
    chunk[at + 1] = (length >>> 8) & 0xff;
    chunk[at + 2] = length >>> 16;
    chunk.set(this.scratch.subarray(0, length), at + 3);
    this.tail += need;
    return index * CHUNK + at;
  }

  /** Doubles the slot arrays (at least 1,024 slots) and re-places every key by its stored hash. */
  private grow(): void {
    const capacity = Math.max(1024, this.addr.length * 2);
    const [addr, hashes, values] = [this.addr, this.hashes, this.values];
    this.addr = new Uint32Array(capacity);
    this.hashes = new Uint32Array(capacity);
    this.values = new Uint32Array(capacity);
    const mask = capacity - 1;
    for (let i = 0; i < addr.length; i++) {
      const a = addr[i] as number;
      if (a === EMPTY) continue;
      const hash = hashes[i] as number;
      let slot = hash & mask;
      while (this.addr[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.addr[slot] = a;
      this.hashes[slot] = hash;
      this.values[slot] = values[i] as number;
    }
  }
}
