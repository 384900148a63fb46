/**
 * Step 5's checks of a `.sig`'s author entries, started before the archive's one read and fed by it
 * (SPEC §6; issue 15: verify streams). OpenPGP entries hash the archive natively as it passes;
 * Sigstore entries need only its SHA-256, or, rarely (sigstore/artifact_need.ts),
 * the whole archive, which is then kept from the same read. Either way the bytes judged are the
 * bytes step 1 hashed: no verifier reads the archive's file a second time.
 */
import type { SigEntry } from "../signing/sig_file.ts";
import { startEntryCheck, type EntryResult, type StreamContext, type StreamedEntryCheck } from "../signing/check_entry.ts";
import { ByteSink } from "../encoding/byte_sink.ts";
import { createSha256 } from "../runtime/index.ts";
import { chunksOf, isArchiveBytes, type ArchiveInput } from "./archive_source.ts";

export interface EntryChecks {
  /** Takes each chunk of the archive's one read, in order. */
  tap(chunk: Uint8Array): void;
  /** The entries' results, in order, once every chunk has been fed. */
  finish(packageHash: string): Promise<EntryResult[]>;
}

export async function startEntryChecks(entries: readonly SigEntry[], ctx: StreamContext, archive: ArchiveInput): Promise<EntryChecks> {
  const checks: StreamedEntryCheck[] = [];
  for (const entry of entries) checks.push(await startEntryCheck(entry, ctx));
  // An archive given as bytes is used as it is; a streamed one is kept only if an entry asks.
  const keep = !isArchiveBytes(archive) && checks.some((c) => c.wantsBytes) ? new ByteSink(archive.size ?? 0) : null;
  return {
    tap(chunk) {
      for (const c of checks) c.update(chunk);
      keep?.push(chunk);
    },
    async finish(packageHash) {
      const bytes = isArchiveBytes(archive) ? archive : keep?.view();
      const out: EntryResult[] = [];
      for (const c of checks) out.push(await c.finish(packageHash, c.wantsBytes ? bytes : undefined));
      return out;
    },
  };
}

/**
 * The same checks around a read of the archive of their own, hashed as it passes, for a reader
 * outside the pipeline (`info --signatures`, `registry verify`'s owners check): answers the
 * archive's checksum from that read, and the entries' results when asked (after comparing it).
 */
export async function readForEntryChecks(entries: readonly SigEntry[], ctx: StreamContext, archive: ArchiveInput): Promise<{ checksum: string; results(): Promise<EntryResult[]> }> {
  const checks = await startEntryChecks(entries, ctx, archive);
  const h = createSha256();
  for await (const chunk of chunksOf(archive)) {
    h.update(chunk);
    checks.tap(chunk);
  }
  const checksum = `sha256:${h.digestHex()}`;
  return { checksum, results: async () => await checks.finish(checksum) };
}
