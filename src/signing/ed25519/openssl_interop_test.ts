/**
 * Interop with OpenSSL (SPEC §5: "Anyone can check an ed25519 entry with OpenSSL alone"):
 * our signatures verify with `openssl pkeyutl -verify`, and OpenSSL's keys and signatures are
 * accepted by ours. Skipped, with a message, only where no `openssl` program exists.
 */
import { describe, test, expect, afterAll } from "bun:test";
import { fs, run } from "../../runtime/index.ts";
import { ed25519PrivateKeyFromPem, ed25519PrivateKeyToPem, ed25519PublicKeyFromPem, ed25519PublicKeyToPem } from "../../encoding/pem.ts";
import { toHex } from "../../encoding/hex.ts";
import { signatureMessage } from "../message.ts";
import { generateEd25519, publicKeyOf, signEd25519 } from "./sign.ts";
import { verifyEd25519 } from "./verify.ts";
import { assertStrictPublicKey } from "./public_key.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";

const HASH = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const OPENSSL = (await run("openssl", ["version"]))?.code === 0 ? "openssl" : null;
if (!OPENSSL) console.warn("openssl_interop_test: SKIPPED, no `openssl` program on PATH (install OpenSSL 3 to run it)");

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.remove(d);
});

async function tempDir(): Promise<string> {
  const d = await fs.makeTempDir("aam-openssl-");
  dirs.push(d);
  return d;
}

async function openssl(args: string[], cwd: string) {
  const r = await run(OPENSSL!, args, { cwd });
  if (!r) throw new Error("openssl vanished");
  return r;
}

describe.skipIf(!OPENSSL)("Ed25519 interop with OpenSSL", () => {
  test("signEd25519() signatures verify with openssl pkeyutl, and a flipped message byte fails", async () => {
    const dir = await tempDir();
    const { seed, publicKey } = await generateEd25519();
    const msg = signatureMessage(HASH);
    const sig = await signEd25519(seed, msg);
    await fs.writeFileAtomic(fs.path.join(dir, "msg"), msg);
    await fs.writeFileAtomic(fs.path.join(dir, "sig.bin"), sig);
    await fs.writeFileAtomic(fs.path.join(dir, "key.pem"), ed25519PublicKeyToPem(publicKey));
    // OpenSSL itself reads our PEM as an ED25519 public key.
    const text = await openssl(["pkey", "-pubin", "-in", "key.pem", "-noout", "-text"], dir);
    expect(text.code).toBe(0);
    expect(new TextDecoder().decode(text.stdout)).toContain("ED25519 Public-Key");
    const ok = await openssl(["pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin", "-in", "msg", "-sigfile", "sig.bin"], dir);
    expect(ok.code).toBe(0);
    const bad = msg.slice();
    bad[bad.length - 1] ^= 1;
    await fs.writeFileAtomic(fs.path.join(dir, "msg"), bad);
    const no = await openssl(["pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin", "-in", "msg", "-sigfile", "sig.bin"], dir);
    expect(no.code).not.toBe(0);
  });

  test("keys and signatures made by openssl are accepted by ed25519PublicKeyFromPem() and verifyEd25519()", async () => {
    const dir = await tempDir();
    const msg = signatureMessage(HASH);
    await fs.writeFileAtomic(fs.path.join(dir, "msg"), msg);
    expect((await openssl(["genpkey", "-algorithm", "ed25519", "-out", "k.pem"], dir)).code).toBe(0);
    expect((await openssl(["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"], dir)).code).toBe(0);
    expect((await openssl(["pkeyutl", "-sign", "-inkey", "k.pem", "-rawin", "-in", "msg", "-out", "sig.bin"], dir)).code).toBe(0);
    const pub = ed25519PublicKeyFromPem(await fs.readText(fs.path.join(dir, "pub.pem"), DOCUMENT_LIMIT), "pub.pem");
    assertStrictPublicKey(pub);
    const sig = await fs.readFile(fs.path.join(dir, "sig.bin"), DOCUMENT_LIMIT);
    expect(sig.length).toBe(64);
    expect(await verifyEd25519(pub, msg, sig)).toBe(true);
    expect(await verifyEd25519(pub, signatureMessage("sha256:" + "1".repeat(64)), sig)).toBe(false);
    // The private PEM derives the same public key, and signs what OpenSSL signed (Ed25519 is deterministic).
    const seed = ed25519PrivateKeyFromPem(await fs.readText(fs.path.join(dir, "k.pem"), DOCUMENT_LIMIT), "k.pem");
    expect(toHex(await publicKeyOf(seed))).toBe(toHex(pub));
    expect(toHex(await signEd25519(seed, msg))).toBe(toHex(sig));
  });

  test("ed25519PrivateKeyToPem() output is read by openssl and gives the same public key", async () => {
    const dir = await tempDir();
    const { seed, publicKey } = await generateEd25519();
    await fs.writeFileAtomic(fs.path.join(dir, "k.pem"), ed25519PrivateKeyToPem(seed), { mode: 0o600 });
    expect((await openssl(["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"], dir)).code).toBe(0);
    expect(toHex(ed25519PublicKeyFromPem(await fs.readText(fs.path.join(dir, "pub.pem"), DOCUMENT_LIMIT)))).toBe(toHex(publicKey));
  });
});
