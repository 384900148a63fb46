/**
 * Incremental SHA-256. WebCrypto has no incremental digest, and a pure-JS hash is several times
 * slower on large archives, so this uses the runtime's native hasher: Bun.CryptoHasher on Bun
 * (importing node:crypto there costs ~5 ms of start-up), node:crypto on Node and Deno, loaded on
 * first use.
 */
import type * as NodeCrypto from "node:crypto";
import { builtin } from "./builtin.ts";
import { runtimeName } from "./detect.ts";

export interface Sha256 {
  update(data: Uint8Array): Sha256;
  digestHex(): string;
}

interface NativeHasher {
  update(data: Uint8Array): unknown;
  digest(encoding: "hex"): string;
}

interface BunGlobal {
  CryptoHasher: new (algorithm: "sha256") => NativeHasher;
}

function nativeSha256(): NativeHasher {
  if (runtimeName === "bun") return new (globalThis as unknown as { Bun: BunGlobal }).Bun.CryptoHasher("sha256");
  return builtin<typeof NodeCrypto>("node:crypto").createHash("sha256");
}

export function createSha256(): Sha256 {
  const h = nativeSha256();
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
