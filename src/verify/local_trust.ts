/**
 * The one place that assembles trust material (SPEC §6 "Trust material is local, always"): the
 * Sigstore trusted root and the OpenPGP public keys this machine holds, and the transparency-log
 * switch, read from the user's configuration and `$AAM_HOME` only (or a `--trusted-root` the user
 * names). Nothing that travels with a package, a registry, a cache entry or a bundle is read here:
 * a root that travels would decide who is trusted, so it is never used.
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import type { Config } from "../config/schema.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";
import { MANAGED_KEY_EXT } from "../keys/store.ts";

export interface LocalTrust {
  /** trusted_root.json text: `$AAM_HOME/trusted_root.json`, or the file given with `--trusted-root`. */
  trustedRoot?: string;
  /** Armoured OpenPGP public keys from `$AAM_HOME/keys/*.asc`. */
  publicKeys: string[];
  /** PEM ECDSA keys of managed-key Sigstore bundles, from `$AAM_HOME/keys/*.sigstore.pem` (`aam key trust`). */
  managedKeys: string[];
  /** security.verify_transparency_log (default true). */
  verifyTransparencyLog: boolean;
}

export const TRUSTED_ROOT_FILE = "trusted_root.json";

export interface LocalTrustOptions {
  /** `--trusted-root <file>`, resolved against `cwd`. */
  trustedRootFile?: string;
  cwd?: string;
}

export async function readLocalTrust(home: string, cfg: Config, opts: LocalTrustOptions = {}): Promise<LocalTrust> {
  const rootFile = opts.trustedRootFile ? fs.path.resolve(opts.cwd ?? ".", opts.trustedRootFile) : fs.path.join(home, TRUSTED_ROOT_FILE);
  const trustedRoot = (await fs.readTextIfExists(rootFile, DOCUMENT_LIMIT)) ?? undefined;
  if (opts.trustedRootFile && trustedRoot === undefined) {
    throw new AamError("NotFound", `Cannot read trusted root "${rootFile}"`, { file: rootFile, hint: "check the path given to --trusted-root" });
  }
  const publicKeys: string[] = [];
  const managedKeys: string[] = [];
  const keysDir = fs.path.join(home, "keys");
  for (const e of await fs.readDirIfExists(keysDir)) {
    if (!e.isFile) continue;
    if (e.name.endsWith(".asc")) publicKeys.push(await fs.readText(fs.path.join(keysDir, e.name), DOCUMENT_LIMIT));
    else if (e.name.endsWith(MANAGED_KEY_EXT)) managedKeys.push(await fs.readText(fs.path.join(keysDir, e.name), DOCUMENT_LIMIT));
  }
  return { trustedRoot, publicKeys, managedKeys, verifyTransparencyLog: cfg.security.verify_transparency_log !== false };
}
