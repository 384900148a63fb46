import { describe, test, expect } from "bun:test";
import { fs } from "../../runtime/index.ts";
import { fetchTrustedRoot } from "./fetch_trusted_root.ts";
import { catchAamError as failure } from "../../../test/helpers/errors.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";


/** The public-good TUF root that @sigstore/tuf ships, so the client gets as far as the network. */
async function tufRoot(dir: string): Promise<string> {
  const seeds = JSON.parse(await fs.readText(fs.path.join(import.meta.dir, "..", "..", "..", "node_modules", "@sigstore", "tuf", "seeds.json"), DOCUMENT_LIMIT));
  const file = fs.path.join(dir, "root.json");
  await fs.writeFileAtomic(file, new Uint8Array(Buffer.from(seeds["https://tuf-repo-cdn.sigstore.dev"]["root.json"], "base64")));
  return file;
}

describe("fetchTrustedRoot()", () => {
  test("fetchTrustedRoot() throws Error with an offline hint when the TUF repository is unreachable", async () => {
    const dir = await fs.makeTempDir("aam-tuf-");
    try {
      const err = await failure(fetchTrustedRoot({ cacheDir: fs.path.join(dir, "tuf"), mirrorUrl: "http://127.0.0.1:9", tufRootFile: await tufRoot(dir), timeoutMs: 2000 }));
      expect(err.code).toBe("Error");
      expect(err.details.hint).toContain("aam trust-root import");
    } finally {
      await fs.remove(dir);
    }
  });

  test("fetchTrustedRoot() throws UsageError for a repository it has no TUF root for", async () => {
    const dir = await fs.makeTempDir("aam-tuf-");
    try {
      const err = await failure(fetchTrustedRoot({ cacheDir: dir, mirrorUrl: "http://127.0.0.1:9" }));
      expect(err.code).toBe("UsageError");
      expect(err.details.hint).toContain("--tuf-root");
    } finally {
      await fs.remove(dir);
    }
  });
});
