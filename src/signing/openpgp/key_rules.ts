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

/** The newest of a component's self-signatures: the one OpenPGP implementations act on. */
function newest(sigs: openpgp.SignaturePacket[]): openpgp.SignaturePacket | undefined {
  return sigs.reduce<openpgp.SignaturePacket | undefined>((a, b) => (a && (a.created?.getTime() ?? 0) >= (b.created?.getTime() ?? 0) ? a : b), undefined);
}

/**
 * A warning for a key that leans on SHA-1: the current self-signature of one of its user IDs or the
 * binding of one of its subkeys uses SHA-1, or its digest preferences name nothing stronger. Null
 * when neither holds.
 *
 * Why a warning and not a refusal (issue 17 §3: refuse only keys that can never verify): such a key
 * does verify under AAM's rules. AAM refuses SHA-1 in the message signature, where a chosen-prefix
 * collision lets whoever gets a signature reuse it; a self-signature is made by the key's owner over
 * the owner's own key and user ID, so a collision gains no one but the owner, who can sign anything
 * anyway, and AAM's trust is the primary fingerprint, not the user ID. GnuPG agrees (since 2.2.18 it
 * rejects SHA-1 only in third-party key signatures, CVE-2019-14855; self-signatures stay valid, also
 * in 2.4). openpgp.js rejects SHA-1 only in message signatures. Sequoia refuses the key outright: its
 * standard policy rejects SHA-1 where second-preimage resistance is needed from a cutoff judged at
 * verification time, not at the signature's own date (2023-02-01 in sequoia-openpgp 1.12, as
 * test/vectors/openpgp-keys/sha1-2022 shows for a self-signature from 2022; Debian's later builds
 * refuse since 2026-02-01), so `sq`/`sqv` users of the package will not verify it: say so.
 */
export function sha1Warning(key: openpgp.Key): string | null {
  const current = [...key.users.map((u) => newest(u.selfCertifications)), ...key.subkeys.map((s) => newest(s.bindingSignatures))].filter((s) => s !== undefined);
  const weak = current.filter((s) => s.hashAlgorithm !== null && s.hashAlgorithm in WEAK_HASHES);
  const prefs = key.users.flatMap((u) => newest(u.selfCertifications)?.preferredHashAlgorithms ?? []);
  const parts: string[] = [];
  if (weak.length > 0) parts.push(`${weak.length === current.length ? "its self-signatures use" : `${weak.length} of its ${current.length} self-signatures use`} SHA-1 (Sequoia's sq and sqv refuse such a key, whatever the signature's date; GnuPG and AAM accept it)`);
  if (prefs.length > 0 && prefs.every((h) => h in WEAK_HASHES)) parts.push("its digest preferences name only SHA-1");
  if (parts.length === 0) return null;
  return `${parts.join(" and ")}; AAM refuses SHA-1 signatures, so sign with SHA-256 or stronger (gpg --digest-algo SHA256), and re-make the self-signatures with a current digest (gpg --quick-set-expire <fingerprint> <expiry>; gpg --edit-key <fingerprint> setpref SHA512 SHA384 SHA256 AES256 ZLIB), then export and trust the key again`;
}
