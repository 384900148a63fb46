import { describe, test, expect } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hintNamesOtherKey, managedKeyFromPem } from "./managed_key.ts";
import { catchAamError } from "../../../test/helpers/errors.ts";

const CASES = join(import.meta.dir, "..", "..", "..", "test", "vectors", "sigstore-conformance", "bundle-verify");
const KEY_FILE = join(CASES, "managed-key-happy-path", "key.pub");
const PEM = readFileSync(KEY_FILE, "utf8");
// The hint cosign wrote into managed-key-happy-path/bundle.sigstore.json.
const COSIGN_HINT = "TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk=";

describe("managedKeyFromPem()", () => {
  test("managedKeyFromPem() answers the SHA-256 of the SubjectPublicKeyInfo DER, as OpenSSL computes it", () => {
    const der = spawnSync("openssl", ["pkey", "-pubin", "-in", KEY_FILE, "-outform", "DER"]);
    expect(der.status).toBe(0);
    const openssl = spawnSync("openssl", ["dgst", "-sha256", "-r"], { input: der.stdout, encoding: "utf8" }).stdout.split(" ")[0];
    const k = managedKeyFromPem(PEM, KEY_FILE);
    expect(k.fingerprint).toBe(openssl);
    expect(k.der).toEqual(new Uint8Array(der.stdout));
  });

  test("managedKeyFromPem() throws UsageError for text that holds no PEM public key", () => {
    for (const text of ["", "not a key", PEM.replace("PUBLIC KEY", "PRIVATE KEY"), "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n", "-----BEGIN PUBLIC KEY-----\nAgEB\n-----END PUBLIC KEY-----\n"]) {
      expect(catchAamError(() => managedKeyFromPem(text, "k.pem")).code).toBe("UsageError");
    }
  });
});

describe("hintNamesOtherKey()", () => {
  const key = managedKeyFromPem(PEM, KEY_FILE);

  test("hintNamesOtherKey() answers false for the key's own hint, base64 as cosign writes it or hex", () => {
    expect(hintNamesOtherKey(COSIGN_HINT, key)).toBe(false);
    expect(hintNamesOtherKey(key.fingerprint, key)).toBe(false);
    expect(hintNamesOtherKey(key.fingerprint.toUpperCase(), key)).toBe(false);
  });

  test("hintNamesOtherKey() answers true for another key's SHA-256, in either form", () => {
    expect(hintNamesOtherKey("A" + COSIGN_HINT.slice(1), key)).toBe(true);
    expect(hintNamesOtherKey("0".repeat(64), key)).toBe(true);
  });

  test("hintNamesOtherKey() answers false for an empty hint or one in a form it does not know (the signature decides)", () => {
    expect(hintNamesOtherKey("", key)).toBe(false);
    expect(hintNamesOtherKey("my-release-key", key)).toBe(false);
  });
});
