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

interface NativeDigest {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
}

interface BunGlobal {
  CryptoHasher: new (algorithm: string) => NativeHasher & NativeDigest;
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

/** Hash functions every runtime hashes natively (OpenPGP signatures name any of these). */
export type DigestAlgorithm = "md5" | "sha1" | "ripemd160" | "sha224" | "sha256" | "sha384" | "sha512" | "sha3-256" | "sha3-512";

/** An incremental digest whose result is bytes. */
export interface Digest {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

/** A native incremental hasher for `algorithm` (as createSha256, any algorithm of DigestAlgorithm). */
export function createDigest(algorithm: DigestAlgorithm): Digest {
  const h: NativeDigest =
    runtimeName === "bun" ? new (globalThis as unknown as { Bun: BunGlobal }).Bun.CryptoHasher(algorithm) : builtin<typeof NodeCrypto>("node:crypto").createHash(algorithm);
  return {
    update(data) {
      h.update(data);
    },
    digest() {
      const d = h.digest();
      return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    },
  };
}

export function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}
