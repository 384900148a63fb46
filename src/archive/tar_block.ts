/**
 * The tar block (POSIX ustar, SPEC §3): its size, the padding to a block boundary, and the header
 * checksum, shared by the header writer (tar_header.ts) and reader (tar_header_decode.ts).
 */

export const BLOCK = 512;

/** The zero bytes after `size` bytes of data, up to the next block. */
export function tarPadding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The header checksum: the byte sum with the checksum field read as eight spaces. */
export function headerChecksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
  return sum;
}
