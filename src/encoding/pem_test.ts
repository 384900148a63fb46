import { describe, test, expect } from "bun:test";
import { AamError } from "../errors.ts";
import { fromHex } from "./hex.ts";
import { ed25519PrivateKeyFromPem, ed25519PrivateKeyToPem, ed25519PublicKeyFromPem, ed25519PublicKeyToPem } from "./pem.ts";
import { catchAam } from "../../test/helpers/errors.ts";

// RFC 8410 §10.1 / §10.3 examples (the same key in both forms).
const RFC8410_PUBLIC = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=
-----END PUBLIC KEY-----
`;
const RFC8410_PUBLIC_RAW = "19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1";
const RFC8410_PRIVATE = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
-----END PRIVATE KEY-----
`;
const RFC8410_SEED = "d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842";
// RFC 8410 §10.3 second example: a v2 OneAsymmetricKey with attributes and the public key.
const RFC8410_PRIVATE_V2 = `-----BEGIN PRIVATE KEY-----
MHICAQEwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
oB8wHQYKKoZIhvcNAQkJFDEPDA1DdXJkbGUgQ2hhaXJzgSEAGb9ECWmEzf6FQbrB
Z9w7lshQhqowtrbLDFw4rXAxZuE=
-----END PRIVATE KEY-----`;


describe("ed25519PublicKeyToPem()", () => {
  test("ed25519PublicKeyToPem() writes the RFC 8410 SubjectPublicKeyInfo", () => {
    expect(ed25519PublicKeyToPem(fromHex(RFC8410_PUBLIC_RAW))).toBe(RFC8410_PUBLIC);
  });
  test("ed25519PublicKeyToPem() throws TypeError for a key that is not 32 bytes", () => {
    expect(() => ed25519PublicKeyToPem(new Uint8Array(31))).toThrow(TypeError);
  });
});

describe("ed25519PublicKeyFromPem()", () => {
  test("ed25519PublicKeyFromPem() reads the RFC 8410 example", () => {
    expect(ed25519PublicKeyFromPem(RFC8410_PUBLIC)).toEqual(fromHex(RFC8410_PUBLIC_RAW));
  });
  test("ed25519PublicKeyFromPem() round-trips and tolerates CRLF and surrounding text", () => {
    const raw = fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    const pem = "ED25519 Public-Key:\r\n" + ed25519PublicKeyToPem(raw).replace(/\n/g, "\r\n") + "trailing";
    expect(ed25519PublicKeyFromPem(pem)).toEqual(raw);
  });
  test.each([
    ["no PEM block", "hello"],
    ["a private key", RFC8410_PRIVATE],
    ["bad base64", "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n"],
    ["no END line", "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"],
    // An EC P-256 SubjectPublicKeyInfo (id-ecPublicKey), not Ed25519.
    [
      "a P-256 key",
      "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9\nq9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==\n-----END PUBLIC KEY-----\n",
    ],
    ["a truncated key", "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAx\n-----END PUBLIC KEY-----\n"],
  ])("ed25519PublicKeyFromPem() throws UsageError for %s", (_name, pem) => {
    const err = catchAam(() => ed25519PublicKeyFromPem(pem, "k.pem"));
    expect(err.code).toBe("UsageError");
    expect(err.details.file).toBe("k.pem");
    expect(err.details.hint).toBeTruthy();
  });
  test("ed25519PublicKeyFromPem() throws UsageError for non-string input", () => {
    expect(catchAam(() => ed25519PublicKeyFromPem(42 as unknown as string)).code).toBe("UsageError");
  });
});

describe("ed25519PrivateKeyToPem() and ed25519PrivateKeyFromPem()", () => {
  test("ed25519PrivateKeyToPem() writes the RFC 8410 PKCS#8 example", () => {
    expect(ed25519PrivateKeyToPem(fromHex(RFC8410_SEED))).toBe(RFC8410_PRIVATE);
  });
  test("ed25519PrivateKeyFromPem() reads the RFC 8410 v1 example", () => {
    expect(ed25519PrivateKeyFromPem(RFC8410_PRIVATE)).toEqual(fromHex(RFC8410_SEED));
  });
  test("ed25519PrivateKeyFromPem() reads the RFC 8410 v2 example with attributes and public key", () => {
    expect(ed25519PrivateKeyFromPem(RFC8410_PRIVATE_V2)).toEqual(fromHex(RFC8410_SEED));
  });
  test("ed25519PrivateKeyFromPem() throws UsageError with a decrypt hint for an encrypted key", () => {
    const err = catchAam(() => ed25519PrivateKeyFromPem("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"));
    expect(err.code).toBe("UsageError");
    expect(err.details.hint).toContain("openssl pkey");
  });
  test.each([
    ["a public key", RFC8410_PUBLIC],
    ["a v1 key carrying a public key", RFC8410_PRIVATE_V2.replace("MHICAQEw", "MHICAQAw")],
    ["a 31-byte seed", "-----BEGIN PRIVATE KEY-----\nMC0CAQAwBQYDK2VwBCEEH9Tuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVg=\n-----END PRIVATE KEY-----\n"],
  ])("ed25519PrivateKeyFromPem() throws UsageError for %s", (_name, pem) => {
    expect(catchAam(() => ed25519PrivateKeyFromPem(pem)).code).toBe("UsageError");
  });
  test("ed25519PrivateKeyFromPem() raises only AamError on mutated input", () => {
    const der = RFC8410_PRIVATE_V2;
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const chars = der.split("");
      const at = 28 + (seed % (der.length - 56));
      chars[at] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[seed % 64];
      try {
        ed25519PrivateKeyFromPem(chars.join(""));
      } catch (e) {
        expect(e).toBeInstanceOf(AamError);
      }
    }
  });
});
