/** `aam bundle export <pkg>[@v]... --output <file> | import <file>` (SPEC §8). */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { AamError } from "../../errors.ts";
import { fs } from "../../runtime/index.ts";
import { parsePackageRef } from "../../manifest/name.ts";
import { parseMetadata, findVersion } from "../../registry/metadata.ts";
import { verifyPackage, type VerifyReport } from "../../verify/pipeline.ts";
import { loadEntry, writeEntry } from "../../cache/offline.ts";
import { ARCHIVE_FILE, SIG_FILE, METADATA_FILE, ENTRY_FILE } from "../../cache/entry.ts";
import { writeBundle, readBundle, type BundleEntry } from "../../cache/bundle.ts";
import { trustPolicy, localTrust, printVerifyReport } from "./_shared.ts";

export function register(cli: CAC, ctx: Context): void {
  cli
    .command("export <...packages>", "Write prepared offline cache entries into one file")
    .option("--output, -o <file>", "The bundle file to write")
    .example("aam verify --offline-prepare @me/skill && aam bundle export @me/skill --output skill.aambundle")
    .action(async (refs: string[], o: { output?: string }) => {
      if (!o.output) throw new AamError("UsageError", "Cannot export a bundle without --output", { hint: "aam bundle export <pkg>... --output <file>" });
      const entries: BundleEntry[] = [];
      for (const raw of refs) {
        const ref = parsePackageRef(raw);
        const loaded = await loadEntry(ctx.home, ref.name, ref.version); // checks the entry is intact
        const files: Record<string, Uint8Array> = { [ARCHIVE_FILE]: loaded.input.archive, [METADATA_FILE]: new TextEncoder().encode(loaded.metadataText), ...loaded.extra };
        if (loaded.input.sigText !== null) files[SIG_FILE] = new TextEncoder().encode(loaded.input.sigText);
        entries.push({ package: loaded.entry.package, version: loaded.entry.version, files });
      }
      const out = fs.path.resolve(ctx.cwd, o.output);
      await fs.writeFileAtomic(out, writeBundle(entries, ctx.now()));
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
      const entries = await readBundle(fs.readChunks(path), path);
      const policy = await trustPolicy(ctx, { requireSignature: o.requireSignature });
      // Importing adds only what verifies here: a failing signature is an error whatever `warn` says.
      if (policy.onSignatureFailure === "warn") policy.onSignatureFailure = "error";
      const local = await localTrust(ctx);
      const checked: { e: BundleEntry; report: VerifyReport; metadataText: string }[] = [];
      let i = 0;
      for (const e of entries) {
        ctx.out.progress("Verifying", i++, entries.length);
        const where = `${path}!${e.package}@${e.version}`;
        const metaBytes = e.files[METADATA_FILE];
        const archive = e.files[ARCHIVE_FILE];
        if (!metaBytes || !archive) throw new AamError("TamperedPackage", `Cannot import "${where}": the entry lacks its archive or metadata`, { file: path, hint: "export it again" });
        const metadataText = new TextDecoder().decode(metaBytes);
        const meta = parseMetadata(metadataText, `${where}/${METADATA_FILE}`);
        const rec = findVersion(meta, e.version);
        if (meta.name !== e.package || !rec) throw new AamError("TamperedPackage", `Cannot import "${where}": its metadata.yaml does not list it`, { file: path, hint: "export it again" });
        const keys = Object.entries(e.files).filter(([n]) => n.endsWith(".asc")).map(([, d]) => new TextDecoder().decode(d));
        const root = e.files["trusted_root.json"];
        const report = await verifyPackage(
          {
            name: e.package,
            version: e.version,
            archive,
            expectedChecksum: rec.checksum,
            sigText: e.files[SIG_FILE] ? new TextDecoder().decode(e.files[SIG_FILE]) : null,
            files: { archive: `${where}/${ARCHIVE_FILE}`, sig: `${where}/${SIG_FILE}` },
            trustedRoot: local.trustedRoot ?? (root ? new TextDecoder().decode(root) : undefined),
            publicKeys: [...local.publicKeys, ...keys],
            verifyTransparencyLog: local.verifyTransparencyLog,
          },
          policy,
        );
        checked.push({ e, report, metadataText });
      }
      ctx.out.clearProgress();
      // Every entry verified: only now is anything written.
      for (const { e, report, metadataText } of checked) {
        const extra = Object.fromEntries(Object.entries(e.files).filter(([n]) => ![ARCHIVE_FILE, SIG_FILE, METADATA_FILE, ENTRY_FILE].includes(n)));
        const sig = e.files[SIG_FILE];
        await writeEntry(ctx.home, e.package, e.version, `bundle:${fs.path.basename(path)}`, { archive: e.files[ARCHIVE_FILE], sigText: sig ? new TextDecoder().decode(sig) : null, metadataText, extra }, report, ctx.now());
      }
      if (ctx.out.json) ctx.out.data({ ok: true, imported: checked.map((c) => c.report) });
      else {
        for (const c of checked) printVerifyReport(ctx, c.report);
        ctx.out.line(`Imported ${checked.length} package version(s) into the offline cache`);
      }
    });
}
