/** `aam install <pkg>[@v|tag] | <file.aam>` (SPEC §9, §10). */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { untrusted } from "../output.ts";
import { AamError } from "../../errors.ts";
import { fs } from "../../runtime/index.ts";
import { parsePackageRef } from "../../manifest/name.ts";
import { resolveDependencies } from "../../install/resolve.ts";
import { installVerified, type ReadyPackage } from "../../install/install.ts";
import { verifyPackage, type VerifyOptions } from "../../verify/pipeline.ts";
import { readArchiveManifestOf } from "../../verify/archive_manifest.ts";
import { openFileArchive } from "../../verify/archive_source.ts";
import type { TrustPolicy } from "../../trust/policy.ts";
import type { RegistryReader } from "../../registry/reader.ts";
import { openFromOptions, trustPolicy, openVerifyInput, printVerifyReport, localTrust, type LocalTrust } from "./_shared.ts";

export interface InstallFlags {
  registry?: string;
  verifySignature?: boolean;
  requireSignature?: boolean;
  verify?: boolean;
  offline?: boolean;
  force?: boolean;
}

type OfflineInstall = (ctx: Context, ref: string, o: InstallFlags) => Promise<ReadyPackage[]>;
let offlineInstall: OfflineInstall | undefined;
export function setOfflineInstall(h: OfflineInstall): void {
  offlineInstall = h;
}

async function fromRegistry(reader: RegistryReader, raw: string, policy: TrustPolicy, vopts: VerifyOptions, trust: LocalTrust, extraDeps: Record<string, string> = {}): Promise<ReadyPackage[]> {
  const roots: { name: string; range: string }[] = [];
  if (raw) {
    const ref = parsePackageRef(raw);
    const root = await reader.resolve(ref.name, ref);
    roots.push({ name: root.name, range: root.version });
  }
  for (const [name, range] of Object.entries(extraDeps)) roots.push({ name, range });
  const chosen = await resolveDependencies(roots, async (name) => (await reader.metadata(name)).versions);
  const ready: ReadyPackage[] = [];
  for (const [name, version] of chosen) {
    const pv = await reader.resolve(name, { version });
    const input = await openVerifyInput(reader, pv, trust);
    const report = await verifyPackage(input, policy, vopts);
    ready.push({ name, version, archive: input.archive, source: reader.location, report });
  }
  return ready;
}

export function register(cli: CAC, ctx: Context): void {
  cli
    .command("[target]", "Install a package (and its dependencies) into .aam/packages/")
    .option("--registry <registry>", "Registry name or location")
    .option("--verify-signature", "Fail on a bad signature even when on_signature_failure is warn or ignore")
    .option("--require-signature", "Fail on an unsigned package")
    .option("--no-verify", "Skip signature checks (the checksum is always checked)")
    .option("--offline", "Install from the offline cache")
    .option("--force", "Reinstall even when the same version is installed")
    .example("aam install @me/my-package")
    .example("aam install @me/my-package@^1.2.0 --require-signature")
    .example("aam install ./dist/me--my-package-1.0.0.aam")
    .action(async (target: string | undefined, o: InstallFlags) => {
      if (!target) throw new AamError("UsageError", "Nothing to install", { hint: "aam install <pkg>[@version] or aam install <file.aam>" });
      const noVerify = o.verify === false;
      if (noVerify) ctx.out.warn("--no-verify: signatures are NOT checked (the checksum still is)");
      if (noVerify && (o.requireSignature || o.verifySignature)) {
        throw new AamError("UsageError", "Cannot combine --no-verify with --require-signature or --verify-signature", { hint: "drop one of them" });
      }
      const vopts: VerifyOptions = { skipSignatures: noVerify };
      let ready: ReadyPackage[];
      if (o.offline) {
        if (!offlineInstall) await import("../../cache/cli_offline.ts");
        ready = await offlineInstall!(ctx, target, o);
      } else if (target.endsWith(".aam")) {
        const file = fs.path.resolve(ctx.cwd, target);
        const archive = await openFileArchive(file); // streamed: verified, then extracted, never held whole
        if (!archive) throw new AamError("NotFound", `Cannot find archive "${file}"`, { file, hint: "check the path" });
        const m = await readArchiveManifestOf(archive, file);
        const policy = await trustPolicy(ctx, { requireSignature: o.requireSignature });
        if (o.verifySignature && policy.onSignatureFailure !== "error") policy.onSignatureFailure = "error";
        const sigFile = `${file}.sig`;
        const trust = await localTrust(ctx);
        const report = await verifyPackage({ name: m.name, version: m.version, archive, sigText: await fs.readTextIfExists(sigFile), files: { archive: file, sig: sigFile }, ...trust }, policy, vopts);
        ready = [{ name: m.name, version: m.version, archive, source: file, report }];
        const deps = Object.entries(m.dependencies ?? {});
        if (deps.length > 0) {
          const opened = await openFromOptions(ctx, o.registry);
          ready.push(...(await fromRegistry(opened.reader, "", policy, vopts, trust, Object.fromEntries(deps))));
        }
      } else {
        const opened = await openFromOptions(ctx, o.registry);
        const info = await opened.reader.info();
        const policy = await trustPolicy(ctx, { requireSignature: o.requireSignature }, info.require_signatures);
        if (o.verifySignature && policy.onSignatureFailure !== "error") policy.onSignatureFailure = "error";
        ready = await fromRegistry(opened.reader, target, policy, vopts, await localTrust(ctx));
      }
      if (!ctx.out.json) for (const p of ready) printVerifyReport(ctx, p.report);
      const res = await installVerified(ctx.cwd, ready, o.force);
      if (ctx.out.json) ctx.out.data({ ok: true, installed: res.installed, unchanged: res.unchanged, warnings: ready.flatMap((p) => p.report.warnings) });
      else {
        for (const i of res.installed) ctx.out.line(`Installed ${untrusted(i.name)}@${untrusted(i.version)} → ${fs.path.relative(ctx.cwd, i.path) || i.path}`);
        for (const u of res.unchanged) ctx.out.line(`${untrusted(u)} is already installed (use --force to reinstall)`);
      }
    });
}
