/**
 * Loads @sigstore/* lazily (SPEC §8), only for commands and entries that need them, and always
 * after the node:crypto EC-digest fix is in place (runtime/crypto_shim.ts explains why Deno needs it).
 */
import { installEcDigestDefault } from "../../runtime/crypto_shim.ts";

/**
 * @sigstore/* are CommonJS. Node, Bun and Deno give their exports by name, but an esbuild bundle
 * with code splitting hands a dynamic import() of CommonJS back as `{ default: module.exports }` only.
 */
function cjs<T extends object>(ns: T): T {
  const d = (ns as { default?: unknown }).default;
  const named = Object.keys(ns).some((k) => k !== "default" && k !== "__esModule");
  return !named && typeof d === "object" && d !== null ? (d as T) : ns;
}

// Explicit module types: declaration emit (dist/types, JSR) cannot name the inferred ones.
export interface VerifyLibs {
  verify: typeof import("@sigstore/verify");
  bundle: typeof import("@sigstore/bundle");
  specs: typeof import("@sigstore/protobuf-specs");
  core: typeof import("@sigstore/core");
}

export interface SignLibs {
  sign: typeof import("@sigstore/sign");
  bundle: typeof import("@sigstore/bundle");
}

export async function loadVerifyLibs(): Promise<VerifyLibs> {
  installEcDigestDefault();
  const [verify, bundle, specs, core] = await Promise.all([
    import("@sigstore/verify"),
    import("@sigstore/bundle"),
    import("@sigstore/protobuf-specs"),
    import("@sigstore/core"),
  ]);
  return { verify: cjs(verify), bundle: cjs(bundle), specs: cjs(specs), core: cjs(core) };
}

export async function loadSignLibs(): Promise<SignLibs> {
  installEcDigestDefault();
  const [sign, bundle] = await Promise.all([import("@sigstore/sign"), import("@sigstore/bundle")]);
  return { sign: cjs(sign), bundle: cjs(bundle) };
}

export async function loadTufLib(): Promise<typeof import("@sigstore/tuf")> {
  installEcDigestDefault();
  return cjs(await import("@sigstore/tuf"));
}
