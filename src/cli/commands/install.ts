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
import type { PolicyFlags } from "../../trust/build_policy.ts";
import type { RegistryReader } from "../../registry/reader.ts";
import { fileInput, openRegistryVersion } from "../../verify/inputs.ts";
import { openForRead, trustPolicy, localTrust, afterVerify, type LocalTrust } from "./_shared.ts";
import { refuseRejected } from "../../verify/rejected.ts";
import { reportSteps, rekorBase } from "../signer_lines.ts";
import { confirmUntrusted } from "./_install_confirm.ts";
import { SIG_LIMIT } from "../../read_limits.ts";

export interface InstallFlags {
  registry?: string;
  verifySignature?: boolean;
  requireSignature?: boolean;
  verify?: boolean;
  offline?: boolean;
  force?: boolean;
  yes?: boolean;
}

/**
 * Resolves and verifies `raw` (and `extraDeps`) from one registry. Each version is judged under that
 * registry's own `require_signatures` (SPEC §9), whoever asked for it.
 */
async function fromRegistry(ctx: Context, reader: RegistryReader, raw: string, flags: PolicyFlags, vopts: VerifyOptions, trust: LocalTrust, extraDeps: Record<string, string> = {}): Promise<ReadyPackage[]> {
  const policy = await trustPolicy(ctx, flags, (await reader.info()).require_signatures);
  const roots: { name: string; range: string }[] = [];
  if (raw) {
    const ref = parsePackageRef(raw);
    const root = await reader.resolve(ref.name, ref);
    refuseRejected(root); // by name, before resolving: a rejected version is never a candidate below
    roots.push({ name: root.name, range: root.version });
  }
  for (const [name, range] of Object.entries(extraDeps)) roots.push({ name, range });
  const chosen = await resolveDependencies(roots, async (name) => (await reader.metadata(name)).versions.filter((v) => !v.rejected));
  const ready: ReadyPackage[] = [];
  for (const [name, version] of chosen) {
    const pv = await reader.resolve(name, { version });
    const input = await openRegistryVersion(reader, pv, trust);
    const report = afterVerify(reader, await verifyPackage(input, policy, vopts), input.files.sig);
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
    .option("--yes, -y", "Do not ask before installing a package whose signer is not trusted (warn mode)")
    .example("aam install @me/my-package")
    .example("aam install @me/my-package@^1.2.0 --require-signature")
    .example("aam install ./dist/me--my-package-1.0.0.aam")
    .action(async (target: string | undefined, o: InstallFlags) => {
      if (!target) throw new AamError("UsageError", "Nothing to install", { hint: "aam install <pkg>[@version] or aam install <file.aam>" });
      const noVerify = o.verify === false;
      if (noVerify && (o.requireSignature || o.verifySignature)) {
        throw new AamError("UsageError", "Cannot combine --no-verify with --require-signature or --verify-signature", { hint: "drop one of them" });
      }
      const flags: PolicyFlags = { requireSignature: o.requireSignature, verifySignature: o.verifySignature, noVerify };
      // Checked once here, before anything is read, against the user's configuration (the registry's
      // own requirement is checked where its policy is built).
      await trustPolicy(ctx, flags);
      if (noVerify) ctx.out.warn("--no-verify: signatures are NOT checked (the checksum still is)");
      const vopts: VerifyOptions = { skipSignatures: noVerify, now: ctx.now() };
      let ready: ReadyPackage[];
      if (o.offline) {
        const { readyFromCache } = await import("../../cache/offline_install.ts");
        ready = await readyFromCache(ctx.home, target, await trustPolicy(ctx, flags), await localTrust(ctx), vopts, (await ctx.config()).merged);
      } else if (target.endsWith(".aam")) {
        const file = fs.path.resolve(ctx.cwd, target);
        const archive = await openFileArchive(file); // streamed: verified, then extracted (hashed again), never held whole
        if (!archive) throw new AamError("NotFound", `Cannot find archive "${file}"`, { file, hint: "check the path" });
        const m = await readArchiveManifestOf(archive, file);
        const policy = await trustPolicy(ctx, flags);
        const sigFile = `${file}.sig`;
        const trust = await localTrust(ctx);
        const report = await verifyPackage(fileInput(m, archive, await fs.readTextIfExists(sigFile, SIG_LIMIT), { archive: file, sig: sigFile }, trust), policy, vopts);
        ready = [{ name: m.name, version: m.version, archive, source: file, report }];
        const deps = Object.entries(m.dependencies ?? {});
        if (deps.length > 0) {
          const opened = await openForRead(ctx, o.registry);
          ready.push(...(await fromRegistry(ctx, opened.reader, "", flags, vopts, trust, Object.fromEntries(deps))));
        }
      } else {
        const opened = await openForRead(ctx, o.registry);
        ready = await fromRegistry(ctx, opened.reader, target, flags, vopts, await localTrust(ctx));
      }
      if (!ctx.out.json) {
        const rekor = await rekorBase(ctx);
        const mark = { ok: ctx.out.paint("green", "✓"), bad: ctx.out.paint("yellow", "⚠") };
        for (const p of ready) {
          for (const w of p.report.warnings) ctx.out.warn(w);
          ctx.out.line(`Resolving ${untrusted(p.name)}@${untrusted(p.version)}...`);
          for (const l of reportSteps(p.report, rekor, mark)) ctx.out.line(l);
        }
      }
      await confirmUntrusted(ctx, ready, o.yes === true);
      if (!ctx.out.json) ctx.out.line("Installing...");
      const res = await installVerified(ctx.cwd, ready, o.force);
      if (ctx.out.json) ctx.out.data({ ok: true, installed: res.installed, unchanged: res.unchanged, warnings: ready.flatMap((p) => p.report.warnings) });
      else {
        for (const i of res.installed) ctx.out.line(`Installed ${untrusted(i.name)}@${untrusted(i.version)} → ${fs.path.relative(ctx.cwd, i.path) || i.path}`);
        for (const u of res.unchanged) ctx.out.line(`${untrusted(u)} is already installed (use --force to reinstall)`);
      }
    });
}
