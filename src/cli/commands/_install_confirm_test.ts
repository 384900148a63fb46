import { describe, test, expect } from "bun:test";
import { question } from "./_install_confirm.ts";
import type { SignerReport } from "../../verify/pipeline.ts";

const key = (reason: string): SignerReport => ({ algorithm: "openpgp", valid: true, key_fingerprint: "AB".repeat(20), trusted: false, trust_reason: reason });
const identity: SignerReport = { algorithm: "sigstore", valid: true, identity: "a@example.org", issuer: "https://issuer", trusted: false, trust_reason: "no pattern" };

describe("question()", () => {
  test("a key merely absent from trusted_keys: the reference page's words, verbatim", () => {
    expect(question([key("key is not in security.trusted_keys")], null, "⚠")).toBe("⚠ Key not in trusted keyring (install anyway? [y/N]) ");
  });
  test("other reasons, identities and several packages keep the shape without claiming the keyring", () => {
    expect(question([key("key is delegated only for \"@x/*\"")], null, "⚠")).toBe("⚠ Key not trusted (install anyway? [y/N]) ");
    expect(question([identity], "@a/b@1.0.0", "⚠")).toBe("⚠ @a/b@1.0.0: Identity not trusted (install anyway? [y/N]) ");
    expect(question([identity, key("key is not in security.trusted_keys")], null, "!")).toBe("! Signers not trusted (install anyway? [y/N]) ");
    // An invalid signature is no signer: it does not change the words.
    expect(question([key("key is not in security.trusted_keys"), { ...identity, valid: false }], null, "⚠")).toBe("⚠ Key not in trusted keyring (install anyway? [y/N]) ");
  });
});
