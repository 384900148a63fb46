/** `aam registry init|add|list|remove|verify|update|attest` (SPEC §4, §5a, §10). */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { untrusted as u } from "../output.ts";
import { AamError } from "../../errors.ts";
import { fs } from "../../runtime/index.ts";
import { initRegistry } from "../../registry/init.ts";
import { locationKind, filePathOf, gitRemoteOf, type RegistryEntry } from "../../registry/location.ts";
import { updateConfigFile } from "../../config/save.ts";
import { openFromOptions, trustPolicy, localTrust, pinnedGuard } from "./_shared.ts";
import { verifyRegistry } from "../../verify/registry_check.ts";
import { updateGitSource } from "../../registry/source_git.ts";
import { registerAttest } from "./registry_attest.ts";
import { registerTrust } from "./registry_trust.ts";

function normaliseLocation(loc: string, cwd: string): string {
  return locationKind(loc) === "file" && !loc.startsWith("file://") ? filePathOf(loc, cwd) : loc;
}

async function addRegistry(ctx: Context, entry: RegistryEntry): Promise<void> {
  const { userFile } = await ctx.config();
  await updateConfigFile(userFile, (cfg) => {
    let regs = (cfg.registries ?? []).filter((r) => r.name !== entry.name);
    if (entry.default) regs = regs.map((r) => ({ ...r, default: false }));
    return { ...cfg, registries: [...regs, entry] };
  });
}

export function register(cli: CAC, ctx: Context): void {
  registerAttest(cli, ctx);
  registerTrust(cli, ctx);
  cli
    .command("init <dir>", "Create a registry from the template")
    .option("--name <name>", "Registry name (default: the folder name)")
    .option("--description <text>", "One line about the registry")
    .option("--require-signatures", "Refuse unsigned publishes")
    .option("--default", "Add it to the configuration as the default registry")
    .example("aam registry init ./my-registry --name team --default")
    .action(async (dir: string, o: { name?: string; description?: string; requireSignatures?: boolean; default?: boolean; json?: boolean }) => {
      const root = fs.path.resolve(ctx.cwd, dir);
      const { kept } = await initRegistry(root, { name: o.name, description: o.description, requireSignatures: o.requireSignatures, now: ctx.now() });
      const name = o.name ?? fs.path.basename(root);
      if (o.default) await addRegistry(ctx, { name, url: root, default: true });
      if (ctx.out.json) ctx.out.data({ ok: true, path: root, name, require_signatures: Boolean(o.requireSignatures), default: Boolean(o.default), kept });
      else {
        ctx.out.line(`Created registry "${name}" at ${root}`);
        for (const rel of kept) ctx.out.line(`  kept existing ${rel} (not overwritten; compare it with the template)`);
        if (o.default) ctx.out.line(`Added it as the default registry`);
        else ctx.out.line(`Use it with: aam registry add ${name} ${root} --default`);
      }
    });

  cli
    .command("add <name> <location>", "Add a registry by name (folder, file://, http(s):// or git+<url>)")
    .option("--default", "Make it the default registry")
    .example("aam registry add team https://registry.example.org/aam --default")
    .action(async (name: string, location: string, o: { default?: boolean }) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
        throw new AamError("UsageError", `Cannot add registry "${name}": names use letters, digits, '.', '_' and '-'`, { hint: "aam registry add team ./registry" });
      }
      const url = normaliseLocation(location, ctx.cwd);
      if (locationKind(url) === "git") gitRemoteOf(url); // refuse ext::, fd:: and the like before they are saved
      const regs = (await ctx.config()).user.registries ?? [];
      const isDefault = Boolean(o.default) || regs.filter((r) => r.name !== name).length === 0;
      await addRegistry(ctx, { name, url, default: isDefault });
      if (ctx.out.json) ctx.out.data({ ok: true, name, url, default: isDefault });
      else ctx.out.line(`Added registry "${name}" → ${url}${isDefault ? " (default)" : ""}`);
    });

  cli.command("list", "List configured registries").action(async () => {
    const regs = (await ctx.config()).merged.registries ?? [];
    if (ctx.out.json) return ctx.out.data({ ok: true, registries: regs });
    if (regs.length === 0) return ctx.out.line("No registries configured (aam registry add <name> <location>)");
    for (const r of regs) ctx.out.line(`${r.default ? "*" : " "} ${r.name}  ${r.url}${r.attestation ? `  (pinned: "${r.attestation.name}", ${r.attestation.keys.length} key(s))` : ""}`);
  });

  cli.command("remove <name>", "Remove a configured registry").action(async (name: string) => {
    const { user, userFile } = await ctx.config();
    if (!(user.registries ?? []).some((r) => r.name === name)) {
      throw new AamError("NotFound", `Cannot remove registry "${name}": it is not configured`, { hint: "aam registry list" });
    }
    await updateConfigFile(userFile, (cfg) => ({ ...cfg, registries: (cfg.registries ?? []).filter((r) => r.name !== name) }));
    if (ctx.out.json) ctx.out.data({ ok: true, removed: name });
    else ctx.out.line(`Removed registry "${name}"`);
  });

  cli
    .command("verify [registry]", "Check every version of every package, the index and the audit log")
    .option("--require-signature", "Fail on any unsigned version")
    .example("aam registry verify ./my-registry --require-signature")
    .action(async (registry: string | undefined, o: { requireSignature?: boolean }) => {
      const opened = await openFromOptions(ctx, registry);
      // A pinned registry's root is judged by the pinned keys first (SPEC §5a): roll-back, freeze, another signer.
      if (opened.pin) await (await pinnedGuard(ctx, opened)).checkRoot();
      const info = await opened.reader.info();
      const policy = await trustPolicy(ctx, { requireSignature: o.requireSignature }, info.require_signatures);
      const report = await verifyRegistry(opened.reader, policy, (done, total) => ctx.out.progress("Verifying", done, total), await localTrust(ctx), ctx.now());
      ctx.out.clearProgress();
      if (ctx.out.json) ctx.out.data(report);
      else {
        for (const f of report.failures) ctx.out.essential(`✗ ${u(f.subject)}: [${f.code}] ${u(f.message)}`);
        for (const w of report.warnings) ctx.out.warn(w);
        const snap = report.snapshot;
        if (snap) ctx.out.line(`snapshot: serial ${snap.serial}, expires ${snap.expires_at}, signed by ${snap.signed_by.join(", ") || "(no valid signature)"}; ${snap.pending.length} pending version(s)${snap.pending.length ? `: ${snap.pending.slice(0, 5).map(u).join(", ")}${snap.pending.length > 5 ? ", ..." : ""}` : ""}`);
        ctx.out.line(
          `${report.ok ? "✓" : "✗"} ${report.registry}: ${report.versions} version(s) of ${report.packages} package(s) checked, ` +
            `${report.verified} verified, ${report.unsigned} unsigned, ${report.rejected ? `${report.rejected} rejected, ` : ""}${report.failures.length} failure(s); audit log ${report.audit_log.ok ? `intact (${report.audit_log.events} events)` : `broken at line ${report.audit_log.broken_line}`}`,
        );
      }
      if (!report.ok) {
        const first = report.failures[0];
        throw new AamError(first?.code ?? "Error", `Registry "${report.registry}" failed verification: ${report.failures.length} failure(s)`, {
          hint: "see the lines above; restore the named files from version control or re-publish",
          reportedAsJson: true,
        });
      }
    });

  cli.command("update [name]", "Fetch the newest commit of git registries").action(async (name: string | undefined) => {
    const regs = ((await ctx.config()).merged.registries ?? []).filter((r) => locationKind(r.url) === "git" && (!name || r.name === name));
    if (regs.length === 0) {
      throw new AamError("NotFound", name ? `Cannot update "${name}": no git registry of that name` : "No git registries are configured", {
        hint: "aam registry add <name> git+<url>",
      });
    }
    const out: { name: string; commit: string }[] = [];
    for (const r of regs) out.push({ name: r.name, commit: await updateGitSource(r.url, ctx.home) });
    if (ctx.out.json) ctx.out.data({ ok: true, updated: out });
    else for (const u of out) ctx.out.line(`Updated ${u.name} to ${u.commit.slice(0, 12)}`);
  });
}
