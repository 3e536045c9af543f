import { accepted, refused, type ValueCheck } from './check';

/** Hexadecimal length of each hash kind MISP has a type for. */
export const HASH_LENGTHS = { md5: 32, sha1: 40, sha256: 64, sha512: 128 } as const;
export type HashKind = keyof typeof HASH_LENGTHS;

const HEX = /^[0-9a-f]+$/;

/** Checks a hash: hexadecimal of the kind's exact length, lower-cased, to file.hashes. */
export function checkHash(kind: HashKind, text: string): ValueCheck {
  const hash = text.toLowerCase();
  const length = HASH_LENGTHS[kind];
  if (hash === '') return refused(`empty ${kind} hash`);
  if (!HEX.test(hash)) return refused(`${kind} hash with a non-hexadecimal character`);
  if (hash.length !== length) {
    return refused(`${kind} hash of ${hash.length} hexadecimal characters, expected ${length}`);
  }
  return accepted('file.hashes', hash);
}
