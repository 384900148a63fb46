/**
 * Incremental SHA-256. node:crypto exists on all three runtimes and is several times faster
 * than a pure-JS hash on large archives; WebCrypto has no incremental digest.
 */
import { createHash } from "node:crypto";

export interface Sha256 {
  update(data: Uint8Array): Sha256;
  digestHex(): string;
}

export function createSha256(): Sha256 {
  const h = createHash("sha256");
  const api: Sha256 = {
    update(data) {
      h.update(data);
      return api;
    },
    digestHex() {
      return h.digest("hex");
    },
  };
  return api;
}

export function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}
