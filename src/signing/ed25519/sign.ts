/**
 * Ed25519 key generation and signing (RFC 8032 §5.1.5–5.1.6) with @noble/ed25519: deterministic
 * signatures, no randomness needed at signing time. Keys come from `crypto.getRandomValues`.
 */
import * as ed from "@noble/ed25519";

/**
 * Signs `message` with the 32-byte seed (RFC 8032 private key).
 * @returns the 64-byte signature R || S.
 * @throws {TypeError} when the seed is not 32 bytes.
 */
export async function signEd25519(seed32: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  if (!(seed32 instanceof Uint8Array) || seed32.length !== 32) throw new TypeError("an Ed25519 private key is a 32-byte seed");
  return await ed.signAsync(message, seed32);
}

/** Derives the 32-byte public key of a seed. */
export async function publicKeyOf(seed32: Uint8Array): Promise<Uint8Array> {
  if (!(seed32 instanceof Uint8Array) || seed32.length !== 32) throw new TypeError("an Ed25519 private key is a 32-byte seed");
  return await ed.getPublicKeyAsync(seed32);
}

/**
 * Makes a new key pair from the platform's CSPRNG. The caller owns `seed` and should wipe it
 * (`seed.fill(0)`) once stored.
 */
export async function generateEd25519(): Promise<{ seed: Uint8Array; publicKey: Uint8Array }> {
  const seed = new Uint8Array(32);
  globalThis.crypto.getRandomValues(seed);
  return { seed, publicKey: await ed.getPublicKeyAsync(seed) };
}
