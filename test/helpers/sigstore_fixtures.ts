/** Paths and readers for the real Sigstore fixtures in ../shared/fixtures/sigstore (read in place). */
import { fs } from "../../src/runtime/index.ts";
import { DOCUMENT_LIMIT } from "../../src/read_limits.ts";

export const FIXTURES = fs.path.join(import.meta.dir, "..", "..", "..", "shared", "fixtures", "sigstore");
export const GHA_IDENTITY =
  "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
export const GHA_ISSUER = "https://token.actions.githubusercontent.com";
export const WHEEL_IDENTITY = "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2";

export type Instance = "production" | "staging";

/** Each fixture bundle, the file it signs, its instance and expected signer (fixtures README). */
export const GOOD: { bundle: string; artifact: string; instance: Instance; identity: string; issuer: string; logIndex: string; integrated?: string; tsa?: string }[] = [
  { bundle: "a.txt.v0.1.sigstore.json", artifact: "a.txt", instance: "production", identity: GHA_IDENTITY, issuer: GHA_ISSUER, logIndex: "27246492", integrated: "2023-07-12T15:56:36Z" },
  { bundle: "a.txt.v0.3.sigstore.json", artifact: "a.txt", instance: "production", identity: GHA_IDENTITY, issuer: GHA_ISSUER, logIndex: "79571823", integrated: "2024-03-19T17:26:26Z" },
  { bundle: "a.txt.intoto-dsse.v0.3.sigstore.json", artifact: "a.txt", instance: "production", identity: GHA_IDENTITY, issuer: GHA_ISSUER, logIndex: "155690850", integrated: "2024-12-16T18:42:56Z" },
  { bundle: "rfc8785-0.1.2-py3-none-any.whl.sigstore.json", artifact: "rfc8785-0.1.2-py3-none-any.whl", instance: "production", identity: WHEEL_IDENTITY, issuer: GHA_ISSUER, logIndex: "79605083", integrated: "2024-03-19T22:41:16Z" },
  { bundle: "hello-staging.txt.sigstore.json", artifact: "hello-staging.txt", instance: "staging", identity: "william@yossarian.net", issuer: "https://github.com/login/oauth", logIndex: "25915956", integrated: "2024-04-02T19:19:09Z" },
  { bundle: "a.txt.staging-rekor2-tsa.v0.3.sigstore.json", artifact: "a.txt", instance: "staging", identity: GHA_IDENTITY, issuer: GHA_ISSUER, logIndex: "735", tsa: "2025-06-12T12:02:20Z" },
  { bundle: "a.txt.staging-rekor2-dsse.v0.3.sigstore.json", artifact: "a.txt", instance: "staging", identity: GHA_IDENTITY, issuer: GHA_ISSUER, logIndex: "4026478", tsa: "2026-05-13T19:23:33Z" },
];
export const NEGATIVE = "a.txt.NEGATIVE-integrated-time-after-cert-expiry.v0.3.sigstore.json";

export const fixture = (name: string) => fs.path.join(FIXTURES, name);
export const readFixture = (name: string) => fs.readFile(fixture(name), DOCUMENT_LIMIT);
export const readFixtureText = (name: string) => fs.readText(fixture(name), DOCUMENT_LIMIT);
export const rootText = (i: Instance) => readFixtureText(`trusted_root.${i}.json`);
