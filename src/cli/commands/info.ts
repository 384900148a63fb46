/** `aam info <pkg>[@v] [--signatures] [--audit-log]` (SPEC §7, §10). */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { untrusted as u } from "../output.ts";
import { parsePackageRef } from "../../manifest/name.ts";
import { parseSigFile } from "../../signing/sig_file.ts";
import { isKeyTrustedFor, isIdentityTrusted } from "../../trust/policy.ts";
import { checkAttestations } from "../../verify/attestation_signers.ts";
import { parseAuditEvents } from "../../registry/audit_log.ts";
import { openForRead, trustPolicy, localTrust } from "./_shared.ts";
import { registryInput } from "../../verify/inputs.ts";
import { readForEntryChecks } from "../../verify/entry_checks.ts";
import { rekorBase, signerDetail } from "../signer_lines.ts";
import type { SignerReport } from "../../verify/pipeline.ts";

export function register(cli: CAC, ctx: Context): void {
  cli
    .command("<package>", "Show a package's versions, dist-tags and signatures")
    .option("--registry <registry>", "Registry name or location")
    .option("--signatures", "Check and show each signature of the version")
    .option("--audit-log", "Show the package's audit-log events")
    .example("aam info @me/my-package --signatures")
    .action(async (raw: string, o: { registry?: string; signatures?: boolean; auditLog?: boolean }) => {
      const ref = parsePackageRef(raw);
      const opened = await openForRead(ctx, o.registry);
      const meta = await opened.reader.metadata(ref.name);
      const pv = await opened.reader.resolve(ref.name, ref.version || ref.tag || ref.range ? ref : undefined);
      let signatures: Record<string, unknown>[] | undefined;
      if (o.signatures) {
        // The same input verify and install build: for a pinned, trusted registry it carries the pin (VerifyInput.attestation).
        // The archive is streamed from a local registry's file (read whole over HTTP), once: its entries are checked in that read.
        const [archive, sigText] = await Promise.all([opened.reader.archiveSource(pv), opened.reader.sig(pv)]);
        const input = registryInput(opened.reader, pv, archive, sigText);
        signatures = [];
        if (sigText !== null) {
          const sig = parseSigFile(sigText, `${opened.reader.location}/${pv.sigFile}`);
          const policy = await trustPolicy(ctx, {});
          const trust = await localTrust(ctx);
          const read = await readForEntryChecks(sig.signatures, { ...trust, now: ctx.now() }, archive);
          const hash = read.checksum;
          const results = hash === sig.package_hash ? await read.results() : sig.signatures.map((e) => ({ algorithm: e.algorithm, valid: false, reason: "archive does not match package_hash" }));
          for (const r of results) {
            const fp = "key_fingerprint" in r ? r.key_fingerprint : undefined;
            const id = "identity" in r ? r.identity : undefined;
            const t = fp ? isKeyTrustedFor(fp, pv.name, policy) : id ? isIdentityTrusted(id, ("issuer" in r ? r.issuer : "") ?? "", policy, pv.name) : { trusted: false, reason: "unknown signer" };
            signatures.push({ ...r, trusted: t.trusted, trust_reason: t.reason });
          }
          // Attestations count only through a pin whose snapshot checks passed (input.attestation: absent for an unpinned or untrusted registry).
          const att = await checkAttestations(sig.attestations ?? [], { package: pv.name, version: pv.version, packageHash: hash }, input.attestation, policy.revokedKeys);
          signatures.push(...att.reports.map((a) => ({ ...a })));
        }
      }
      const events = o.auditLog ? parseAuditEvents(await opened.reader.auditLog()).filter((e) => e.package === meta.name) : undefined;
      const pending = meta.versions.map((v) => v.version).filter((v) => opened.reader.guard?.isPending(meta.name, v));
      if (ctx.out.json) {
        return ctx.out.data({ ok: true, ...meta, ...(opened.reader.guard ? { pending } : {}), selected: pv.version, ...(signatures ? { signatures } : {}), ...(events ? { audit_log: events } : {}) });
      }
      ctx.out.line(`${u(meta.name)}@${u(pv.version)}${meta.description ? `: ${u(meta.description)}` : ""}`);
      if (meta.author) ctx.out.line(`author: ${u(meta.author)}`);
      if (meta.license) ctx.out.line(`license: ${u(meta.license)}`);
      if (meta.keywords.length) ctx.out.line(`keywords: ${meta.keywords.map(u).join(", ")}`);
      ctx.out.line(`dist-tags: ${Object.entries(meta.dist_tags).map(([t, v]) => `${u(t)}: ${u(v)}`).join(", ")}`);
      ctx.out.line("versions:");
      for (const v of meta.versions) {
        const flags = [v.signatures?.length ? "signed" : "unsigned", v.yanked ? "yanked" : "", v.rejected ? `rejected: ${v.rejected.reason}` : "", pending.includes(v.version) ? "pending" : ""].filter(Boolean).join(", ");
        ctx.out.line(`  ${u(v.version)}  ${u(v.published)}  ${u(v.checksum.slice(0, 23))}…  ${u(v.size)} B  (${flags})`);
      }
      if (signatures) {
        // The reference page's shape: per signature its type, who (identity, or key and uid), issued time, log entry, status.
        const rekor = await rekorBase(ctx);
        ctx.out.line("");
        ctx.out.line(`${u(meta.name)}@${u(pv.version)}`);
        ctx.out.line("");
        ctx.out.line(`  Checksum: ${u(pv.record.checksum)}`);
        ctx.out.line("");
        ctx.out.line("  Signatures:");
        if (signatures.length === 0) ctx.out.line("    (none)");
        for (const s of signatures as unknown as SignerReport[]) {
          ctx.out.line(`    - Type: ${u(s.algorithm)}`);
          for (const l of signerDetail(s, rekor)) ctx.out.line(`      ${l}`);
          const status = !s.valid ? `Invalid ✗ (${u(s.reason ?? "invalid")})` : s.trusted ? "Valid ✓" : `Valid, not trusted ⚠ (${u(s.trust_reason ?? "")})`;
          ctx.out.line(`      Status: ${status}`);
          ctx.out.line("");
        }
      }
      if (events) {
        ctx.out.line("audit log:");
        for (const e of events) ctx.out.line(`  #${u(e.seq)} ${u(e.time)} ${u(e.event)} ${u(e.version ?? "")} by ${u(e.actor)}`);
      }
    });
}
