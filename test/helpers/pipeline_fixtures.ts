/** Test support for the verification pipeline's unit tests: a small package and a trust policy (never imported by the product). */
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packDirectory } from "../../src/archive/index.ts";
import { expect } from "bun:test";
import type { TrustPolicy } from "../../src/trust/policy.ts";
import { AamError } from "../../src/errors.ts";
import { generateEd25519 } from "../../src/signing/ed25519/sign.ts";
import { createEd25519Entry } from "../../src/signing/ed25519/entry.ts";
import { fingerprint } from "../../src/signing/ed25519/public_key.ts";

/** A policy trusting `trustedKeys`, failing as `error`, with `p` over it. */
export function testPolicy(trustedKeys: string[], p: Partial<TrustPolicy> = {}): TrustPolicy {
  return {
    trustedKeys,
    revokedKeys: [],
    trustedIdentities: [],
    allowedIssuers: [],
    signingDelegates: {},
    requireSignature: false,
    onSignatureFailure: "error",
    ...p,
  };
}

/** Packs a package of one prompt, named `name@version`. */
export async function packPromptPackage(name: string, version: string): Promise<{ bytes: Uint8Array; checksum: string }> {
  const dir = mkdtempSync(join(tmpdir(), "aam-pipe-"));
  mkdirSync(join(dir, "prompts"));
  writeFileSync(join(dir, "aam.yaml"), `name: "${name}"\nversion: "${version}"\ndescription: d\nartifacts:\n  prompts: [{name: x, path: prompts/x.md}]\n`);
  writeFileSync(join(dir, "prompts", "x.md"), "x\n");
  return await packDirectory(dir);
}

/** `packPromptPackage` with an Ed25519 author signature made at `now` by a fresh key. */
export async function signedPromptPackage(name: string, version: string, now: Date) {
  const packed = await packPromptPackage(name, version);
  const key = await generateEd25519();
  const entry = await createEd25519Entry({ seed: key.seed, publicKey: key.publicKey, packageHash: packed.checksum, now });
  return { ...packed, key, fp: fingerprint(key.publicKey), entry };
}

/** What `p` settles to: its value, or the code of the AamError it throws (anything else fails the test). */
export async function settle<T>(p: Promise<T>): Promise<{ value: T } | { code: string }> {
  try {
    return { value: await p };
  } catch (e) {
    expect(e).toBeInstanceOf(AamError);
    return { code: (e as AamError).code };
  }
}
