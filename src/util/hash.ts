// 32-bit FNV-1a: the one string hash of the project (stable ids, sub-seeds, split keys). Not cryptographic.

/** FNV-1a offset basis. */
export const FNV_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** One FNV-1a step: the hash `h` after one more byte (or UTF-16 code unit). */
export function fnv1aStep(h: number, byte: number): number {
  return Math.imul(h ^ byte, FNV_PRIME) >>> 0;
}

/**
 * FNV-1a of a string's UTF-16 code units; `seed` is mixed into the offset basis (0 gives the standard hash).
 * @example fnv1a('foobar') === 0xbf9cf968
 */
export function fnv1a(text: string, seed = 0): number {
  let h = (FNV_BASIS ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = fnv1aStep(h, text.charCodeAt(i));
  return h;
}

/** The murmur3 finaliser: a 32-bit value with every input bit spread over every output bit (for table indexes). */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
