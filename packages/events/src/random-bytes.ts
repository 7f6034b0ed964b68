import { randomFillSync } from 'node:crypto';

// Every event takes random bytes several times (ULID, trace and span ids when written; a span id
// when consumed). Filling a buffer from the CSPRNG once per 4 KiB costs one call instead of one per
// id (the ulid package asks for a single byte per character), which showed up in CPU profiles.
const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

function take(bytes: number): number {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const at = offset;
  offset += bytes;
  return at;
}

/** `bytes` random bytes from the CSPRNG, as lower-case hex. */
export function randomHex(bytes: number): string {
  const at = take(bytes);
  return pool.toString('hex', at, at + bytes);
}

/** A number in [0, 1) with 8 random bits, the PRNG shape the ulid package expects. */
export function randomFraction(): number {
  return pool[take(1)]! / 256;
}
