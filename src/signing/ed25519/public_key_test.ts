import { describe, test, expect } from "bun:test";
import * as ed from "@noble/ed25519";
import { AamError } from "../../errors.ts";
import { fromHex, toHex } from "../../encoding/hex.ts";
import vectors from "../../../test/vectors/ed25519_rfc8032.json";
import { assertStrictPublicKey, fingerprint, isStrictPublicKey } from "./public_key.ts";
import { L, isCanonicalScalar, isSmallOrderEncoding } from "./_checks.ts";

describe("isStrictPublicKey()", () => {
  test.each(vectors.valid.map((v) => [v.name, v.public_key]))("isStrictPublicKey() accepts the %s key", (_n, hex) => {
    expect(isStrictPublicKey(fromHex(hex))).toBe(true);
  });
  test.each(vectors.small_order_points.map((h) => [h]))("isStrictPublicKey() rejects the small-order point %s", (hex) => {
    expect(isStrictPublicKey(fromHex(hex))).toBe(false);
  });
  test.each(vectors.non_canonical_keys.map((k) => [k.name, k.encoding, k.canonical]))(
    "isStrictPublicKey() rejects a non-canonical encoding: %s",
    (_n, enc, canonical) => {
      expect(isStrictPublicKey(fromHex(enc))).toBe(false);
      // The same point in its canonical form is fine when it is not of small order: the
      // rejection is about the encoding, not the point.
      if (canonical) expect(isStrictPublicKey(fromHex(canonical))).toBe(true);
    },
  );
  test("isStrictPublicKey() rejects a y that is not on the curve", () => {
    expect(isStrictPublicKey(fromHex(vectors.not_on_curve))).toBe(false);
  });
  test("isStrictPublicKey() rejects wrong lengths and types without throwing", () => {
    expect(isStrictPublicKey(new Uint8Array(31))).toBe(false);
    expect(isStrictPublicKey(new Uint8Array(33))).toBe(false);
    expect(isStrictPublicKey("d75a98" as unknown as Uint8Array)).toBe(false);
    expect(isStrictPublicKey(null as unknown as Uint8Array)).toBe(false);
  });
  test("isStrictPublicKey() gives the same answer from its cache", () => {
    const weak = fromHex(vectors.small_order_points[1]);
    expect(isStrictPublicKey(weak)).toBe(false);
    expect(isStrictPublicKey(weak)).toBe(false);
  });
});

describe("assertStrictPublicKey()", () => {
  test("assertStrictPublicKey() throws UsageError naming the file for a small-order key", () => {
    let err: unknown;
    try {
      assertStrictPublicKey(new Uint8Array(32), { file: "evil.pem" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AamError);
    expect(err).toMatchObject({ code: "UsageError", details: { file: "evil.pem" } });
    expect((err as AamError).details.hint).toBeTruthy();
  });
  test("assertStrictPublicKey() returns for a good key", () => {
    expect(() => assertStrictPublicKey(fromHex(vectors.valid[0].public_key))).not.toThrow();
  });
});

describe("fingerprint()", () => {
  test("fingerprint() is the lowercase hex SHA-256 of the raw key", async () => {
    const raw = fromHex(vectors.valid[0].public_key);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(raw)));
    expect(fingerprint(raw)).toBe(toHex(digest));
    expect(fingerprint(raw)).toMatch(/^[0-9a-f]{64}$/);
  });
  test("fingerprint() throws TypeError for a key that is not 32 bytes", () => {
    expect(() => fingerprint(new Uint8Array(3))).toThrow(TypeError);
  });
});

describe("_checks", () => {
  test("isSmallOrderEncoding() agrees with noble on the eight torsion points and on ordinary points", () => {
    const seen = new Set<string>();
    for (const h of vectors.small_order_points) {
      const p = ed.Point.fromBytes(fromHex(h), true);
      expect(p.isSmallOrder()).toBe(true);
      seen.add(p.toHex());
      expect(isSmallOrderEncoding(fromHex(h))).toBe(true);
    }
    expect(seen.size).toBe(8); // the whole 8-torsion subgroup
    for (const v of vectors.valid) expect(isSmallOrderEncoding(fromHex(v.public_key))).toBe(false);
  });
  test("L matches the vectors' group order and isCanonicalScalar() draws the line at L", () => {
    const lBytes = fromHex(vectors.group_order_L);
    let n = 0n;
    for (let i = 31; i >= 0; i--) n = (n << 8n) | BigInt(lBytes[i]);
    expect(n).toBe(L);
    expect(isCanonicalScalar(lBytes)).toBe(false);
    const below = lBytes.slice();
    below[0] -= 1;
    expect(isCanonicalScalar(below)).toBe(true);
  });
});
