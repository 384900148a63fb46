/** `aam verify <pkg>[@v]... | --file x.aam [--sig x.sig]` (SPEC §6, §8, §10). */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { AamError } from "../../errors.ts";
import { fs } from "../../runtime/index.ts";
import { parsePackageRef } from "../../manifest/name.ts";
import { verifyPackage, type VerifyReport } from "../../verify/pipeline.ts";
import { readArchiveManifestOf } from "../../verify/archive_manifest.ts";
import { openFileArchive } from "../../verify/archive_source.ts";
import { fileInput, openRegistryVersion } from "../../verify/inputs.ts";
import { openForRead, trustPolicy, printVerifyReport, localTrust, afterVerify } from "./_shared.ts";
import { SIG_LIMIT } from "../../read_limits.ts";

interface VerifyFlags {
  registry?: string;
  file?: string;
  sig?: string;
  requireSignature?: boolean;
  offline?: boolean;
  offlinePrepare?: boolean;
  all?: boolean;
  verify?: boolean;
}

function identityFromSig(sigText: string | null): { name: string; version: string } | null {
  if (sigText === null) return null;
  try {
    const j = JSON.parse(sigText);
    return typeof j?.package === "string" && typeof j?.package_version === "string" ? { name: j.package, version: j.package_version } : null;
  } catch {
    return null; // malformed: the pipeline's step 4 reports it
  }
}

function emit(ctx: Context, reports: VerifyReport[]): void {
  if (ctx.out.json) ctx.out.data({ ok: true, results: reports });
  else for (const r of reports) printVerifyReport(ctx, r);
}

export function register(cli: CAC, ctx: Context): void {
  cli
    .command("[...packages]", "Verify packages from a registry, or a local archive with --file")
    .option("--registry <registry>", "Registry name or location")
    .option("--file <file>", "Verify a local .aam archive")
    .option("--sig <file>", "The .sig for --file (default: <file>.sig)")
    .option("--require-signature", "Fail when a package is unsigned or its signature fails")
    .option("--offline-prepare", "Verify and store packages in the offline cache")
    .option("--offline", "Verify from the offline cache only; no network, no registry")
    .option("--all", "With --offline-prepare: every package in the registry")
    .example("aam verify @me/my-package@1.0.0 --require-signature")
    .example("aam verify --file dist/me--my-package-1.0.0.aam")
    .action(async (refs: string[], o: VerifyFlags) => {
      if (o.offline || o.offlinePrepare) {
        if (o.offline && o.offlinePrepare) throw new AamError("UsageError", "Cannot use --offline and --offline-prepare together", { hint: "prepare while connected, then verify with --offline" });
        // Loaded only for these flags: the offline path needs none of the registry code.
        return await (await import("./verify_offline.ts")).runOffline(ctx, refs, o);
      }
      if (o.file) {
        if (refs.length > 0) throw new AamError("UsageError", "Cannot verify packages and --file at once", { hint: "aam verify --file <x.aam>" });
        const file = fs.path.resolve(ctx.cwd, o.file);
        // Streamed from the file: a 50 MiB archive is never held in memory.
        const archive = await openFileArchive(file);
        if (!archive) throw new AamError("NotFound", `Cannot find archive "${file}"`, { file, hint: "check the path given to --file" });
        const sigFile = o.sig ? fs.path.resolve(ctx.cwd, o.sig) : `${file}.sig`;
        const sigText = await fs.readTextIfExists(sigFile, SIG_LIMIT);
        if (o.sig && sigText === null) throw new AamError("NotFound", `Cannot find signature "${sigFile}"`, { file: sigFile, hint: "check the path given to --sig" });
        // Step 1 comes first: when a .sig names the package, check the bytes against it before unpacking anything.
        const m = identityFromSig(sigText) ?? (await readArchiveManifestOf(archive, file));
        const policy = await trustPolicy(ctx, { requireSignature: o.requireSignature });
        const report = await verifyPackage(fileInput(m, archive, sigText, { archive: file, sig: sigFile }, await localTrust(ctx)), policy, { now: ctx.now() });
        return emit(ctx, [report]);
      }
      if (refs.length === 0) throw new AamError("UsageError", "Nothing to verify", { hint: "aam verify <pkg>[@version], or aam verify --file <x.aam>" });
      const opened = await openForRead(ctx, o.registry);
      const info = await opened.reader.info();
      const policy = await trustPolicy(ctx, { requireSignature: o.requireSignature }, info.require_signatures);
      const reports: VerifyReport[] = [];
      const trust = await localTrust(ctx);
      for (const raw of refs) {
        const ref = parsePackageRef(raw);
        const pv = await opened.reader.resolve(ref.name, ref);
        const input = await openRegistryVersion(opened.reader, pv, trust);
        reports.push(afterVerify(opened.reader, await verifyPackage(input, policy, { now: ctx.now() }), input.files.sig));
      }
      emit(ctx, reports);
    });
}
