/** `aam bundle export <pkg>[@v]... --output <file> | import <file>` (SPEC §8). */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { AamError } from "../../errors.ts";
import { fs } from "../../runtime/index.ts";
import { parsePackageRef } from "../../manifest/name.ts";
import type { VerifyInput, VerifyReport } from "../../verify/pipeline.ts";
import { loadEntry, writeEntry, assertReplaceable } from "../../cache/offline.ts";
import { ARCHIVE_FILE, SIG_FILE, METADATA_FILE, ENTRY_FILE } from "../../cache/entry.ts";
import { writeBundle, readBundleParts, bundleEntryInput, type BundleEntry } from "../../cache/bundle.ts";
import { pinForEntry, type FoundPin } from "../../cache/offline_pins.ts";
import { pinForBundleEntry } from "../../cache/bundle_pins.ts";
import { verifyPinned } from "../../cache/offline_verify.ts";
import { snapshotsForExport, storeBundleSnapshot } from "../../cache/bundle_snapshots.ts";
import { trustPolicy, localTrust, printVerifyReport } from "./_shared.ts";

export function register(cli: CAC, ctx: Context): void {
  cli
    .command("export <...packages>", "Write prepared offline cache entries into one file")
    .option("--output, -o <file>", "The bundle file to write")
    .example("aam verify --offline-prepare @me/skill && aam bundle export @me/skill --output skill.aambundle")
    .action(async (refs: string[], o: { output?: string }) => {
      if (!o.output) throw new AamError("UsageError", "Cannot export a bundle without --output", { hint: "aam bundle export <pkg>... --output <file>" });
      const entries: BundleEntry[] = [];
      const cfg = (await ctx.config()).merged;
      for (const raw of refs) {
        const ref = parsePackageRef(raw);
        const loaded = await loadEntry(ctx.home, ref.name, ref.version); // checks the entry is intact
        const files: Record<string, Uint8Array> = { [ARCHIVE_FILE]: loaded.input.archive, [METADATA_FILE]: new TextEncoder().encode(loaded.metadataText), ...loaded.extra };
        if (loaded.input.sigText !== null) files[SIG_FILE] = new TextEncoder().encode(loaded.input.sigText);
        // A pinned registry's entry travels with its snapshot (SPEC §5a "Offline").
        const registry = loaded.entry.registry ?? pinForEntry(cfg, loaded.entry)?.pin.name;
        entries.push({ package: loaded.entry.package, version: loaded.entry.version, ...(registry ? { registry } : {}), files });
      }
      const snapshots = await snapshotsForExport(ctx.home, entries.flatMap((e) => (e.registry ? [{ registry: e.registry, package: e.package }] : [])));
      const out = fs.path.resolve(ctx.cwd, o.output);
      await fs.writeFileAtomic(out, writeBundle(entries, ctx.now(), snapshots));
      if (ctx.out.json) ctx.out.data({ ok: true, output: out, entries: entries.map((e) => ({ package: e.package, version: e.version })) });
      else ctx.out.line(`Wrote ${out} with ${entries.length} package version(s): ${entries.map((e) => `${e.package}@${e.version}`).join(", ")}`);
    });

  cli
    .command("import <file>", "Verify every entry of a bundle with this machine's trust settings, then add them all to the offline cache")
    .option("--require-signature", "Refuse unsigned entries")
    .example("aam bundle import /media/usb/skill.aambundle && aam verify --offline @me/skill")
    .action(async (file: string, o: { requireSignature?: boolean }) => {
      const path = fs.path.resolve(ctx.cwd, file);
      if (!(await fs.stat(path))) throw new AamError("NotFound", `Cannot find bundle "${path}"`, { file: path, hint: "check the path" });
      const { entries, snapshots } = await readBundleParts(fs.readChunks(path), path);
      const cfg = (await ctx.config()).merged;
      // Importing adds only what verifies here: a failing signature is an error whatever `warn` says.
      const policy = await trustPolicy(ctx, { requireSignature: o.requireSignature, purpose: "store" });
      const trust = await localTrust(ctx);
      const checked: { e: BundleEntry; report: VerifyReport; input: VerifyInput & { archive: Uint8Array }; metadataText: string; pin: FoundPin | null; raise: () => Promise<void> }[] = [];
      let i = 0;
      for (const e of entries) {
        ctx.out.progress("Verifying", i++, entries.length);
        const { input, metadataText } = bundleEntryInput(e, path, trust);
        // A pinned registry's entry is checked against its snapshot (SPEC §5a "Offline"), whatever its edited `registry` field says.
        const owner = await pinForBundleEntry(ctx.home, cfg, e, snapshots, path);
        const pin = owner?.found ?? null;
        const { report, raise } = await verifyPinned(ctx.home, pin, input, metadataText, policy, { now: ctx.now() }, ctx.now(), owner?.carried);
        // A prepared version is immutable: same bytes, and no fewer signatures (SPEC §8).
        await assertReplaceable(ctx.home, e.package, e.version, report.checksum, input.sigText);
        checked.push({ e, report, input, metadataText, pin, raise });
      }
      ctx.out.clearProgress();
      // Every entry verified: only now is anything written (state, snapshots, entries), from the bytes that were verified.
      for (const c of checked) await c.raise();
      for (const pin of new Map(checked.flatMap((c) => (c.pin ? [[c.pin.pin.name, c.pin.pin] as const] : []))).values()) await storeBundleSnapshot(ctx.home, pin, snapshots, path);
      for (const { e, report, input, metadataText, pin } of checked) {
        const extra = Object.fromEntries(Object.entries(e.files).filter(([n]) => ![ARCHIVE_FILE, SIG_FILE, METADATA_FILE, ENTRY_FILE].includes(n)));
        await writeEntry(ctx.home, e.package, e.version, `bundle:${fs.path.basename(path)}`, { archive: input.archive, sigText: input.sigText, metadataText, extra }, report, ctx.now(), pin?.pin.name);
      }
      if (ctx.out.json) ctx.out.data({ ok: true, imported: checked.map((c) => c.report) });
      else {
        for (const c of checked) printVerifyReport(ctx, c.report);
        ctx.out.line(`Imported ${checked.length} package version(s) into the offline cache`);
      }
    });
}
