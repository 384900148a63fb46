/**
 * Which OpenPGP keys AAM can verify (SPEC §5): the rules are openpgp.js's defaults, the same ones
 * `aam verify` applies (RSA of at least 2048 bits, no DSA or ElGamal, no secp256k1, no SHA-1, MD5
 * or RIPEMD-160 message signatures). `aam key trust` and `aam key import` use this module to say,
 * up front, why a key can never verify instead of accepting it silently.
 */
import type * as openpgp from "openpgp";
import { firstLine } from "./public_key.ts";

/** OpenPGP hash ids (RFC 9580 §9.5) AAM refuses in message signatures. */
const WEAK_HASHES: Record<number, string> = { 1: "MD5", 2: "SHA-1", 3: "RIPEMD-160" };

/** Why one key packet is refused by AAM's rules, or null. */
function weakness(packet: openpgp.PublicKeyPacket | openpgp.SecretKeyPacket | openpgp.PublicSubkeyPacket | openpgp.SecretSubkeyPacket): string | null {
  const info = packet.getAlgorithmInfo() as { algorithm: string; bits?: number; curve?: string };
  if (info.algorithm.startsWith("rsa") && (info.bits ?? 0) < 2047) return `RSA ${info.bits} bits (AAM requires at least 2048)`;
  if (info.algorithm === "dsa") return "DSA (refused by AAM, as by current OpenPGP implementations)";
  if (info.algorithm === "elgamal") return "ElGamal (it cannot sign)";
  if (info.curve === "secp256k1") return "ECDSA on secp256k1 (AAM accepts NIST P-256/384/521, brainpool and Ed25519 curves)";
  return null;
}

/**
 * Why `signer` (a key or subkey of `key`) can make no signature AAM accepts: its primary key's or
 * its own algorithm, or null. For explaining a signature that failed.
 */
export function refusedSigner(key: openpgp.Key, signer: openpgp.Key | openpgp.Subkey): string | null {
  const primary = weakness(key.keyPacket);
  if (primary) return `its primary key is ${primary}`;
  const own = signer === key ? null : weakness(signer.keyPacket);
  return own ? `its signing subkey is ${own}` : null;
}

/**
 * Why no signature by `key` can verify under AAM's rules at `now`, or null when one can. Call it
 * for a key that is neither revoked nor expired (those have their own messages).
 */
export async function neverVerifiesReason(key: openpgp.Key, now: Date): Promise<string | null> {
  try {
    // The verifier's own test: is there a signing (sub)key openpgp.js accepts now?
    await key.getSigningKey(undefined, now);
    return null;
  } catch (e) {
    const refused = [key, ...key.subkeys].map((k) => refusedSigner(key, k)).find((w) => w !== null);
    if (refused) return refused;
    return `it has no usable signing key (${firstLine(e)})`;
  }
}

/**
 * A warning for a key that leans on SHA-1: all of its self-signatures use it (Sequoia and other
 * current tools refuse such keys), or its digest preferences name nothing stronger. AAM still
 * verifies its SHA-256+ signatures, so this is a warning, not a refusal. Null when neither holds.
 */
export function sha1Warning(key: openpgp.Key): string | null {
  const selfSigs = [...key.users.flatMap((u) => u.selfCertifications), ...key.subkeys.flatMap((s) => s.bindingSignatures)];
  const prefs = key.users.flatMap((u) => u.selfCertifications.flatMap((s) => s.preferredHashAlgorithms ?? []));
  const parts: string[] = [];
  if (selfSigs.length > 0 && selfSigs.every((s) => s.hashAlgorithm !== null && s.hashAlgorithm in WEAK_HASHES)) parts.push("its self-signatures use SHA-1 (Sequoia and newer tools refuse the key)");
  if (prefs.length > 0 && prefs.every((h) => h in WEAK_HASHES)) parts.push("its digest preferences name only SHA-1");
  if (parts.length === 0) return null;
  return `${parts.join(" and ")}; AAM refuses SHA-1 signatures, so sign with SHA-256 or stronger (gpg --digest-algo SHA256) and re-certify the key with a current digest`;
}
