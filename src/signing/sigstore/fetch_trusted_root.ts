/**
 * `aam trust-root update` (SPEC §8, online): fetches the current `trusted_root.json` through
 * Sigstore's TUF repository (@sigstore/tuf checks it against the repository's signed metadata,
 * starting from a pinned TUF root). The only network use of trust material; verification never
 * calls this. Answers the target's text; the caller checks and stores it.
 */
import { AamError } from "../../errors.ts";
import { loadTufLib } from "./_libs.ts";

export const DEFAULT_TUF_MIRROR = "https://tuf-repo-cdn.sigstore.dev";

export interface FetchTrustedRootOptions {
  /** Folder for TUF metadata (e.g. `$AAM_HOME/tuf`). */
  cacheDir: string;
  /** TUF repository URL; default: the public-good instance. */
  mirrorUrl?: string;
  /** The TUF root.json to start from, for a mirror @sigstore/tuf has no built-in seed for. */
  tufRootFile?: string;
  timeoutMs?: number;
}

/** @throws {AamError} UsageError (no TUF root known for the mirror) or Error (unreachable, bad metadata). */
export async function fetchTrustedRoot(o: FetchTrustedRootOptions): Promise<string> {
  const tuf = await loadTufLib();
  const mirror = o.mirrorUrl ?? DEFAULT_TUF_MIRROR;
  try {
    const client = await tuf.initTUF({
      cachePath: o.cacheDir,
      mirrorURL: mirror,
      rootPath: o.tufRootFile,
      timeout: o.timeoutMs ?? 10_000,
      retry: { retries: 1, minTimeout: 200, maxTimeout: 1_000 },
      force: o.tufRootFile !== undefined,
    });
    return await client.getTarget("trusted_root.json");
  } catch (e) {
    const code = String((e as { code?: unknown })?.code ?? "");
    const detail = e instanceof Error ? e.message : String(e);
    if (code === "TUF_INIT_CACHE_ERROR") {
      throw new AamError("UsageError", `Cannot update the trusted root from "${mirror}": no TUF root is known for this repository`, {
        actual: detail,
        hint: "pass the repository's initial root.json with --tuf-root <file>",
        cause: e,
      });
    }
    throw new AamError("Error", `Cannot update the trusted root from "${mirror}": the TUF repository is unreachable or its metadata does not verify`, {
      actual: detail,
      hint: "connect to the network and try again; offline, copy a trusted_root.json from a connected machine and run `aam trust-root import <file>`",
      cause: e,
    });
  }
}
