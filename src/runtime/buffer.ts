/**
 * Node's Buffer, for the libraries whose APIs take one (@sigstore/*). Node, Bun and Deno all provide
 * the global; only runtime/ names it, so the pure folders stay free of Node-only types.
 */
export function asBuffer(bytes: Uint8Array): Buffer<ArrayBuffer> {
  return Buffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
}
