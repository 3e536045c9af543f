/** A seeded pseudo-random source: the emulators' data and fault decisions must replay exactly. */
export type Random = () => number;

/** mulberry32: tiny, fast, good enough for test data (not for anything secret). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max], both inclusive. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

const BYTE_HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** `length` lower-case hex digits (four bytes per draw: generating a million hashes stays fast). */
export function randomHex(random: Random, length: number): string {
  let out = '';
  while (out.length < length) {
    const n = (random() * 0x100000000) >>> 0;
    out += BYTE_HEX[n & 255] + BYTE_HEX[(n >>> 8) & 255] + BYTE_HEX[(n >>> 16) & 255] + BYTE_HEX[n >>> 24];
  }
  return out.length === length ? out : out.slice(0, length);
}

/** An RFC 4122 version-4-shaped UUID drawn from `random` (deterministic, unlike crypto.randomUUID). */
export function randomUuid(random: Random): string {
  const hex = randomHex(random, 32);
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
