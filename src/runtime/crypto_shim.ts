/**
 * Makes node:crypto.verify's default digest for EC keys explicit (SPEC §8: Sigstore bundles verify
 * offline on Node, Bun and Deno alike).
 *
 * `crypto.verify(null, data, ecKey, sig)` uses SHA-256 on Node and Bun (OpenSSL's default digest
 * for EC keys, whatever the curve) but throws "no default digest" on Deno. @sigstore/core calls
 * it with no algorithm for Rekor signed entry timestamps, DSSE signatures and checkpoints, and
 * turns the throw into `false`, so on Deno every Rekor v1 bundle failed with
 * TLOG_INCLUSION_PROMISE_ERROR and every DSSE bundle with SIGNATURE_ERROR.
 * `installEcDigestDefault()` wraps the shared node:crypto module object (the one @sigstore/core's
 * `require("crypto")` returns) so a missing algorithm becomes "sha256" for EC keys.
 */
import nodeCrypto, { KeyObject } from "node:crypto";
import { runtimeName, type RuntimeName } from "./detect.ts";

type VerifyFn = (...args: unknown[]) => unknown;

const MARK = Symbol.for("aam.ecDigestDefault");

function isEcKey(key: unknown): boolean {
  try {
    if (key instanceof KeyObject) return key.asymmetricKeyType === "ec";
    // PEM, DER or {key, format}: what verify() itself would accept.
    return nodeCrypto.createPublicKey(key as Parameters<typeof nodeCrypto.createPublicKey>[0]).asymmetricKeyType === "ec";
  } catch {
    return false; // not a key we can read: leave it to verify() to reject
  }
}

/** Answers a verify() that passes "sha256" when `algorithm` is null or undefined and the key is EC. */
export function withExplicitEcDigest(verify: VerifyFn): VerifyFn {
  const wrapped: VerifyFn = (...args: unknown[]) => {
    if ((args[0] === null || args[0] === undefined) && isEcKey(args[2])) args = ["sha256", ...args.slice(1)];
    return verify(...args);
  };
  (wrapped as unknown as Record<symbol, boolean>)[MARK] = true;
  return wrapped;
}

/**
 * Installs the wrapper where it is needed (Deno), once. Call it before any @sigstore/* module loads.
 * @returns whether node:crypto.verify is now wrapped.
 */
export function installEcDigestDefault(rt: RuntimeName = runtimeName): boolean {
  const mod = nodeCrypto as unknown as Record<string, unknown>;
  const current = mod.verify as VerifyFn & Record<symbol, boolean>;
  if (current[MARK]) return true;
  // Node and Bun already default EC keys to SHA-256: leave their built-in module untouched.
  if (rt !== "deno") return false;
  mod.verify = withExplicitEcDigest(current.bind(nodeCrypto) as VerifyFn);
  return true;
}
