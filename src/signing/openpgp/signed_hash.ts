/**
 * The hash an OpenPGP binary-document signature signs, H(salt || document || trailer), computed
 * natively as the archive streams past (RFC 9580 §5.2.4), so `aam verify` checks an OpenPGP entry
 * in the same single read that hashes the archive for step 1, with flat memory. openpgp.js hashes a
 * streamed document in JavaScript (its browser build, which AAM runs: openpgp_js.js) at a tenth of
 * native speed, and a whole document only from memory.
 *
 * openpgp.js checks a signature against a hash it is given when the signature packet's `hashed`
 * is set (what it does itself for streamed one-pass signatures): the salt and trailer come from the
 * packet's own `toHash`, so only the document's part is hashed here.
 */
import * as openpgp from "openpgp";
import { createDigest, type DigestAlgorithm } from "../../runtime/index.ts";

/** The parts of openpgp.js's SignaturePacket this module uses that its types do not declare. */
interface PacketInternals {
  signatureType: number | null;
  hashAlgorithm: number | null;
  salt?: Uint8Array | null;
  /** salt || toSign(data) || signatureData || trailer. */
  toHash(signatureType: number, data: openpgp.LiteralDataPacket, detached: boolean): Uint8Array;
  /** The digest of `toHash`; throws for an unknown hash or a v6 salt of the wrong length. */
  hash(signatureType: number, data: openpgp.LiteralDataPacket, toHash: Uint8Array): Promise<Uint8Array>;
  /** A hash made elsewhere, used by verify() in place of hashing the document again. */
  hashed?: Promise<Uint8Array>;
}

/** openpgp.js's hash ids (enums.hash) as native hash names. */
const NATIVE: Record<number, DigestAlgorithm> = {
  1: "md5",
  2: "sha1",
  3: "ripemd160",
  8: "sha256",
  9: "sha384",
  10: "sha512",
  11: "sha224",
  12: "sha3-256",
  14: "sha3-512",
};

/** Hashes the document for one signature packet. */
export interface SignedHash {
  update(chunk: Uint8Array): void;
  /** Hashes the trailer and hands the result to the packet: openpgp.verify() then checks it. */
  finish(): void;
}

/**
 * Starts the hash of a binary-document signature packet, or answers null for another signature
 * type (the caller refuses those before verifying). A packet openpgp.js would refuse to hash (an
 * unknown hash, a v6 salt of the wrong length) gets its refusal as its `hashed`, so verify() fails
 * with openpgp.js's own reason, as it would over the bytes.
 */
export async function startSignedHash(packet: openpgp.SignaturePacket): Promise<SignedHash | null> {
  const p = packet as unknown as PacketInternals;
  if (p.signatureType !== openpgp.enums.signature.binary) return null;
  const empty = (await openpgp.createMessage({ binary: new Uint8Array(0) })).packets[0] as openpgp.LiteralDataPacket;
  // Detached (as verifyDetached hashes it): the document is not part of a v5 trailer.
  const parts = p.toHash(p.signatureType, empty, true);
  const saltLength = p.salt?.length ?? 0;
  const name = NATIVE[p.hashAlgorithm ?? 0];
  try {
    // openpgp.js's own checks of the hash and the salt, made on the few bytes around the document.
    await p.hash(p.signatureType, empty, parts);
    if (!name) throw new Error("Unsupported hash function");
  } catch (e) {
    const refused = Promise.reject(e);
    refused.catch(() => undefined); // read by verify(), which reports it; unhandled until then
    return { update: () => undefined, finish: () => void (p.hashed = refused) };
  }
  const h = createDigest(name);
  h.update(parts.subarray(0, saltLength));
  return {
    update: (chunk) => h.update(chunk),
    finish() {
      h.update(parts.subarray(saltLength));
      p.hashed = Promise.resolve(h.digest());
    },
  };
}
