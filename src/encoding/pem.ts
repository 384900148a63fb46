/**
 * Ed25519 keys as PEM (RFC 7468) over DER (RFC 8410), the forms OpenSSL reads and writes (SPEC §5):
 * public keys as SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----"), private keys as PKCS#8
 * ("-----BEGIN PRIVATE KEY-----", as `openssl genpkey -algorithm ed25519` writes them); and the DER
 * of any PEM public key (the managed ECDSA keys of Sigstore bundles).
 *
 * Untrusted text is safe to parse: every failure is an AamError `UsageError` with a hint (a PEM
 * file is something the user hands to a command), never another exception.
 */
import { AamError } from "../errors.ts";
import { fromBase64, toBase64 } from "./base64.ts";
import { concatBytes } from "./bytes.ts";

/** OID 1.3.101.112 (id-Ed25519), DER-encoded with its tag and length. */
const ED25519_OID = Uint8Array.of(0x06, 0x03, 0x2b, 0x65, 0x70);
/** SEQUENCE { SEQUENCE { OID }, BIT STRING (0 unused bits, 32 bytes) }, before the key. */
const SPKI_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, ...ED25519_OID, 0x03, 0x21, 0x00);
/** SEQUENCE { INTEGER 0, SEQUENCE { OID }, OCTET STRING { OCTET STRING (32 bytes) } }, before the seed. */
const PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, ...ED25519_OID, 0x04, 0x22, 0x04, 0x20);

// A key file is a few hundred bytes; anything far larger is not one, and is refused before parsing.
const MAX_PEM_CHARS = 64 * 1024;

/** Encodes a raw 32-byte Ed25519 public key as a PEM SubjectPublicKeyInfo that `openssl pkey -pubin` reads. */
export function ed25519PublicKeyToPem(raw32: Uint8Array): string {
  if (!(raw32 instanceof Uint8Array) || raw32.length !== 32) throw new TypeError("an Ed25519 public key is 32 bytes");
  return toPem("PUBLIC KEY", concatBytes([SPKI_PREFIX, raw32]));
}

/**
 * Encodes a 32-byte Ed25519 seed (RFC 8032 private key) as an unencrypted PKCS#8 PEM, as
 * `openssl genpkey -algorithm ed25519` writes it. The result is a secret: store it with care.
 */
export function ed25519PrivateKeyToPem(seed32: Uint8Array): string {
  if (!(seed32 instanceof Uint8Array) || seed32.length !== 32) throw new TypeError("an Ed25519 private key is a 32-byte seed");
  const der = concatBytes([PKCS8_PREFIX, seed32]);
  try {
    return toPem("PRIVATE KEY", der);
  } finally {
    der.fill(0);
  }
}

/**
 * Reads the raw 32-byte Ed25519 public key from a PEM SubjectPublicKeyInfo
 * (`openssl pkey -pubout` output). The key is not screened here: callers that import or trust it
 * run `assertStrictPublicKey` (signing/ed25519/public_key.ts).
 * @throws {AamError} UsageError when the text holds no Ed25519 public key.
 */
export function ed25519PublicKeyFromPem(pem: string, file?: string): Uint8Array {
  const fail = (detail: string, hint?: string) =>
    new AamError("UsageError", `Cannot read Ed25519 public key${file ? ` "${file}"` : ""}: ${detail}`, {
      file,
      hint: hint ?? "give a PEM public key as `openssl pkey -in key.pem -pubout` writes it (-----BEGIN PUBLIC KEY-----)",
    });
  const der = pemBody(pem, "PUBLIC KEY", fail);
  // SubjectPublicKeyInfo for Ed25519 has exactly one DER form (RFC 8410 §4: no parameters).
  if (der.length !== SPKI_PREFIX.length + 32 || !startsWith(der, SPKI_PREFIX)) {
    throw fail("not an Ed25519 key (RFC 8410 SubjectPublicKeyInfo, OID 1.3.101.112)", "AAM signs with Ed25519 keys; make one with `aam key generate` or `openssl genpkey -algorithm ed25519`");
  }
  return der.slice(SPKI_PREFIX.length);
}

/**
 * Reads the DER SubjectPublicKeyInfo of any "-----BEGIN PUBLIC KEY-----" block (e.g. the ECDSA keys
 * `cosign generate-key-pair` writes). Only the PEM and the outer DER SEQUENCE are checked here;
 * whoever uses the key parses it.
 * @throws {AamError} UsageError when the text holds no PEM public key.
 */
export function publicKeyDerFromPem(pem: string, file?: string): Uint8Array {
  const fail = (detail: string) =>
    new AamError("UsageError", `Cannot read public key${file ? ` "${file}"` : ""}: ${detail}`, {
      file,
      hint: "give a PEM public key (-----BEGIN PUBLIC KEY-----), as `cosign generate-key-pair` or `openssl pkey -pubout` writes it",
    });
  const der = pemBody(pem, "PUBLIC KEY", fail);
  const outer = readTlv(der, 0);
  if (!outer || outer.tag !== 0x30 || outer.end !== der.length) throw fail("the PEM body is not a DER SubjectPublicKeyInfo");
  return der;
}

/**
 * Reads the 32-byte seed from an unencrypted Ed25519 PKCS#8 PEM (v1, or v2 with the public key
 * attached; the attached public key is ignored, callers derive it from the seed).
 * @throws {AamError} UsageError when the text holds no unencrypted Ed25519 private key.
 */
export function ed25519PrivateKeyFromPem(pem: string, file?: string): Uint8Array {
  const fail = (detail: string, hint?: string) =>
    new AamError("UsageError", `Cannot read Ed25519 private key${file ? ` "${file}"` : ""}: ${detail}`, {
      file,
      hint: hint ?? "give an unencrypted PKCS#8 PEM as `openssl genpkey -algorithm ed25519` writes it (-----BEGIN PRIVATE KEY-----)",
    });
  if (typeof pem === "string" && pem.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
    throw fail("the key is encrypted", "decrypt it first: openssl pkey -in key.pem -out plain.pem (then delete plain.pem after importing)");
  }
  const der = pemBody(pem, "PRIVATE KEY", fail);
  try {
    return parsePkcs8Seed(der, fail);
  } finally {
    der.fill(0);
  }
}

type Fail = (detail: string, hint?: string) => AamError;

function parsePkcs8Seed(der: Uint8Array, fail: Fail): Uint8Array {
  // OneAsymmetricKey (RFC 5958) ::= SEQUENCE { version, algorithm, privateKey OCTET STRING,
  //   [0] attributes OPTIONAL, [1] publicKey OPTIONAL }; for Ed25519 privateKey wraps an OCTET STRING seed.
  const bad = () => fail("not an Ed25519 PKCS#8 private key (RFC 8410, OID 1.3.101.112)");
  const outer = readTlv(der, 0);
  if (!outer || outer.tag !== 0x30 || outer.end !== der.length) throw bad();
  const version = readTlv(der, outer.start);
  if (!version || version.tag !== 0x02 || version.end - version.start !== 1) throw bad();
  const v = der[version.start];
  if (v !== 0 && v !== 1) throw bad();
  const alg = readTlv(der, version.end);
  if (!alg || alg.tag !== 0x30 || !bytesEqual(der.subarray(alg.start, alg.end), ED25519_OID)) throw bad();
  const priv = readTlv(der, alg.end);
  if (!priv || priv.tag !== 0x04) throw bad();
  const seed = readTlv(der, priv.start);
  if (!seed || seed.tag !== 0x04 || seed.end !== priv.end || seed.end - seed.start !== 32) throw bad();
  // Only the optional [0] attributes and [1] public key may follow, in that order.
  let at = priv.end;
  let lastRank = 0;
  while (at < outer.end) {
    const t = readTlv(der, at);
    const rank = !t ? 0 : t.tag === 0xa0 ? 1 : t.tag === 0x81 || t.tag === 0xa1 ? 2 : 0;
    if (!t || rank <= lastRank) throw bad();
    if (rank === 2 && v !== 1) throw bad(); // a public key needs version 1 (v2)
    lastRank = rank;
    at = t.end;
  }
  return der.slice(seed.start, seed.end);
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** Reads one DER tag-length-value at `at` (single-byte tags, minimal definite lengths); null if malformed. */
function readTlv(b: Uint8Array, at: number): Tlv | null {
  if (at + 2 > b.length) return null;
  const tag = b[at];
  let len = b[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 2 || start + n > b.length) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | b[start + i];
    if (len < 0x80 || (n === 2 && len < 0x100)) return null; // DER requires the shortest length form
    start += n;
  }
  const end = start + len;
  if (end > b.length) return null;
  return { tag, start, end };
}

function pemBody(pem: string, label: string, fail: Fail): Uint8Array {
  if (typeof pem !== "string") throw fail("not text");
  if (pem.length > MAX_PEM_CHARS) throw fail(`larger than ${MAX_PEM_CHARS} characters`);
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const i = pem.indexOf(begin);
  if (i < 0) throw fail(`no "${begin}" block`);
  const j = pem.indexOf(end, i + begin.length);
  if (j < 0) throw fail(`no "${end}" line`);
  const body = pem.slice(i + begin.length, j).replace(/[ \t\r\n]/g, "");
  const der = fromBase64(body);
  if (!der || der.length === 0) throw fail("the PEM body is not base64");
  return der;
}

/** Encodes a SubjectPublicKeyInfo DER (any algorithm) as a PEM public key. */
export function publicKeyDerToPem(der: Uint8Array): string {
  return toPem("PUBLIC KEY", der);
}

function toPem(label: string, der: Uint8Array): string {
  const b64 = toBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function startsWith(b: Uint8Array, prefix: Uint8Array): boolean {
  return b.length >= prefix.length && bytesEqual(b.subarray(0, prefix.length), prefix);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
