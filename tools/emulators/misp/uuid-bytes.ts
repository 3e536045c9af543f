/** UUIDs kept as 16 bytes each: a million of them in 16 MB instead of ~60 MB of strings. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/** Writes `uuid` into target[offset..offset+16]; false when it is not a canonical 8-4-4-4-12 UUID. */
export function writeUuid(uuid: string, target: Uint8Array, offset: number): boolean {
  if (uuid.length !== 36) return false;
  let byte = 0;
  for (let i = 0; i < 36;) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (uuid.charCodeAt(i) !== 45) return false;
      i += 1;
      continue;
    }
    const high = nibble(uuid.charCodeAt(i));
    const low = nibble(uuid.charCodeAt(i + 1));
    if (high < 0 || low < 0) return false;
    target[offset + byte] = (high << 4) | low;
    byte += 1;
    i += 2;
  }
  return true;
}

export function readUuid(source: Uint8Array, offset: number): string {
  let out = '';
  for (let i = 0; i < 16; i += 1) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX[source[offset + i]];
  }
  return out;
}
