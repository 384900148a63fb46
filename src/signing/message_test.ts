import { describe, test, expect } from "bun:test";
import { signatureMessage, SIGNATURE_MESSAGE_PREFIX } from "./message.ts";

const HASH = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

describe("signatureMessage()", () => {
  test("signatureMessage() is the UTF-8 of aam-signature-v1: followed by the hash", () => {
    const m = signatureMessage(HASH);
    expect(new TextDecoder().decode(m)).toBe(`aam-signature-v1:${HASH}`);
    expect(m.length).toBe(17 + 7 + 64);
    expect(SIGNATURE_MESSAGE_PREFIX).toBe("aam-signature-v1:");
  });
  test.each(["", "sha256:abc", "sha512:" + "0".repeat(64), "SHA256:" + "a".repeat(64), "sha256:" + "A".repeat(64)])(
    "signatureMessage() throws TypeError for %p",
    (h) => {
      expect(() => signatureMessage(h)).toThrow(TypeError);
    },
  );
});
