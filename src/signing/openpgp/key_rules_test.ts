/**
 * key_rules against keys gpg made (test/vectors/openpgp-keys, make.sh): a key whose self-signatures
 * use SHA-1 still verifies under AAM's rules, so it is warned about (not refused), and the warning
 * says why other tools differ. sha1-2022/ holds one whose self-signatures predate Sequoia's cutoff,
 * which Sequoia refuses all the same (its cutoff is judged at verification time).
 */
import { describe, test, expect } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as openpgp from "openpgp";
import { neverVerifiesReason, sha1Warning } from "./key_rules.ts";
import { verifyOpenPgpEntry } from "./verify_entry.ts";

const VEC = join(import.meta.dir, "..", "..", "..", "test", "vectors", "openpgp-keys");
const read = (f: string) => readFileSync(join(VEC, f), "utf8");
const key = (f: string) => openpgp.readKey({ armoredKey: read(f) });
const NOW = new Date("2026-12-01T00:00:00Z");

describe("SHA-1 self-signatures (gpg --cert-digest-algo SHA1)", () => {
  test.each([
    ["made in 2026 (after every Sequoia cutoff)", "sha1only.pub.asc", "sha1only.SHA256.asc"],
    ["made in 2022 (before sequoia-openpgp 1.12's 2023-02-01 cutoff)", "sha1-2022/sha1old.pub.asc", "sha1-2022/sha1old.SHA256.asc"],
  ])("a key %s can verify, so it is warned about with the reason and the fix", async (_when, pub, sig) => {
    const k = await key(pub);
    expect(k.users[0].selfCertifications[0].hashAlgorithm).toBe(openpgp.enums.hash.sha1);
    expect(await neverVerifiesReason(k, NOW)).toBeNull();
    const w = sha1Warning(k)!;
    expect(w).toContain("its self-signatures use SHA-1 (Sequoia's sq and sqv refuse such a key, whatever the signature's date; GnuPG and AAM accept it)");
    expect(w).toContain("gpg --quick-set-expire <fingerprint>");
    expect(w).toContain("its digest preferences name only SHA-1"); // both made with --default-preference-list "SHA1 …"
    // The claim behind the warning: AAM verifies its SHA-256 signature of package.aam.
    const archive = new Uint8Array(readFileSync(join(VEC, "package.aam")));
    const fp = k.getFingerprint().toUpperCase();
    const r = await verifyOpenPgpEntry(
      { algorithm: "openpgp", key_fingerprint: fp, signature: read(sig), signed_at: "2026-01-01T00:00:00Z", public_key: read(pub) },
      { archive, packageHash: "sha256:" + "0".repeat(64), publicKeys: [], now: NOW },
    );
    expect({ valid: r.valid, reason: r.reason }).toEqual({ valid: true, reason: undefined });
  });

  test("keys whose current self-signatures use SHA-256 or stronger get no warning", async () => {
    for (const f of ["rsa2048.pub.asc", "ed25519.pub.asc", "subkey.pub.asc", "sq-rsa3k.pub.asc"]) expect({ f, w: sha1Warning(await key(f)) }).toEqual({ f, w: null });
  });

  test("a SHA-1 self-signature superseded by a SHA-256 one (gpg --quick-set-expire) is no longer warned about", async () => {
    // openpgp.js re-certifies the way gpg does: a newer self-signature over the same user ID.
    const old = await openpgp.readPrivateKey({ armoredKey: read("sha1only.sec.asc") });
    const fresh = await openpgp.reformatKey({ privateKey: old, userIDs: [{ name: "sha1only", email: "sha1only@example.org" }], date: NOW, format: "object", config: { preferredHashAlgorithm: openpgp.enums.hash.sha256 } });
    const both = await (await key("sha1only.pub.asc")).update(fresh.publicKey, NOW);
    expect(both.users[0].selfCertifications.map((s) => s.hashAlgorithm).sort()).toEqual([openpgp.enums.hash.sha1, openpgp.enums.hash.sha256]);
    expect(sha1Warning(both)).toBeNull();
  });
});
