import { describe, test, expect } from "bun:test";
import { canonicalOwner, ownerOf, parseOwner, sameOwners, sortedOwners } from "./owners.ts";

const ED = "ab".repeat(32);
const PGP = "CD".repeat(20);
const GH_ISSUER = "https://token.actions.githubusercontent.com";

describe("canonicalOwner()", () => {
  test("fingerprints: 64 hex lowercase, 40 hex uppercase", () => {
    expect(canonicalOwner(ED.toUpperCase())).toBe(ED);
    expect(canonicalOwner(PGP.toLowerCase())).toBe(PGP);
  });
  test("identities carry their issuer: github:/gitlab: implied, an address or URI after |", () => {
    expect(canonicalOwner("github:acme")).toBe("github:acme");
    expect(canonicalOwner("alice@example.org|https://accounts.google.com")).toBe("alice@example.org|https://accounts.google.com");
    expect(canonicalOwner("alice@example.org")).toBeNull();
    expect(canonicalOwner("github:acme|https://token.actions.githubusercontent.com")).toBeNull();
  });
  test("never an OpenPGP user id, a domain pattern, a comma or white space", () => {
    for (const bad of ["Alice <alice@example.org>", "*@example.org|https://x.example", "a,b@example.org|https://x.example", " " + ED, "", "ab".repeat(31)]) expect(canonicalOwner(bad)).toBeNull();
    expect(() => parseOwner("Alice <alice@example.org>")).toThrow("Invalid owner");
  });
});

describe("ownerOf()", () => {
  test("a valid key signer matches its fingerprint, whatever its case; an invalid one never", () => {
    expect(ownerOf({ valid: true, algorithm: "ed25519", key_fingerprint: ED }, [ED])).toBe(ED);
    expect(ownerOf({ valid: true, algorithm: "openpgp", key_fingerprint: PGP.toLowerCase() }, [PGP])).toBe(PGP);
    expect(ownerOf({ valid: false, algorithm: "ed25519", key_fingerprint: ED }, [ED])).toBeUndefined();
    expect(ownerOf({ valid: true, algorithm: "ed25519", key_fingerprint: "ef".repeat(32) }, [ED])).toBeUndefined();
  });
  test("a Sigstore identity matches only with its issuer", () => {
    const wf = "https://github.com/acme/tool/.github/workflows/release.yml@refs/heads/main";
    expect(ownerOf({ valid: true, algorithm: "sigstore", identity: wf, issuer: GH_ISSUER }, ["github:acme"])).toBe("github:acme");
    expect(ownerOf({ valid: true, algorithm: "sigstore", identity: wf, issuer: "https://evil.example" }, ["github:acme"])).toBeUndefined();
    const o = "alice@example.org|https://accounts.google.com";
    expect(ownerOf({ valid: true, algorithm: "sigstore", identity: "alice@example.org", issuer: "https://accounts.google.com" }, [o])).toBe(o);
    expect(ownerOf({ valid: true, algorithm: "sigstore", identity: "alice@example.org", issuer: "https://other.example" }, [o])).toBeUndefined();
    // A bare address in a hand-written metadata.yaml matches nothing.
    expect(ownerOf({ valid: true, algorithm: "sigstore", identity: "alice@example.org", issuer: "https://accounts.google.com" }, ["alice@example.org"])).toBeUndefined();
  });
});

test("sortedOwners() and sameOwners() ignore order and duplicates", () => {
  expect(sortedOwners(["b", "a", "b"])).toEqual(["a", "b"]);
  expect(sameOwners(["b", "a"], ["a", "b", "a"])).toBe(true);
  expect(sameOwners(undefined, [])).toBe(true);
  expect(sameOwners(["a"], [])).toBe(false);
});
