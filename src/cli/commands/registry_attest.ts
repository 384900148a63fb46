/** `aam registry attest|reject` (SPEC §5a, §10): the registry vouches for its versions, or refuses one, and signs its snapshot. */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { untrusted as u } from "../output.ts";
import { AamError } from "../../errors.ts";
import { parsePackageRef } from "../../manifest/name.ts";
import { parseExpiresDays } from "../../attest/expires.ts";
import { attestRegistry } from "../../publish/attest_registry.ts";
import { rejectVersion } from "../../publish/reject_version.ts";
import { actor, localTrust, trustPolicy } from "./_shared.ts";
import { ed25519Key } from "./_signing.ts";
import { openForWrite } from "./_write.ts";

interface AttestFlags {
  key?: string | string[];
  registry?: string;
  all?: boolean;
  expires?: string;
  allowRewind?: string | string[];
  branch?: string;
  passphraseFile?: string;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

export function registerAttest(cli: CAC, ctx: Context): void {
  cli
    .command("attest [...packages]", "Check versions under the registry's policy, attest them and sign the snapshot")
    .option("--key <key>", "Attestation key (fingerprint or name); repeat for several", { type: [String] })
    .option("--registry <registry>", "Registry name or folder")
    .option("--all", "Attest every pending version of every package")
    .option("--expires <days>", "Days the snapshot stays valid (1-365, default 30)")
    .option("--allow-rewind <pkg>", "Accept history undone in this package since the last snapshot; repeat per package", { type: [String] })
    .option("--branch <branch>", "Git registry: push to this branch (default: the default branch)")
    .option("--passphrase-file <file>", "Read the key's passphrase from this file")
    .example("aam registry attest --key registry-ci --all")
    .action(async (packages: string[], o: AttestFlags) => {
      const keyRefs = list(o.key);
      if (keyRefs.length === 0) throw new AamError("UsageError", "Cannot attest: no attestation key", { hint: "aam registry attest --key <fingerprint|name> [--all | <pkg>[@<v>]...]" });
      if (o.all && packages.length > 0) throw new AamError("UsageError", "Cannot attest: give --all or packages, not both", { hint: "aam registry attest --key K --all" });
      const select = o.all
        ? ("all" as const)
        : packages.map((raw) => {
            const ref = parsePackageRef(raw);
            if (ref.tag !== undefined || ref.range !== undefined) throw new AamError("UsageError", `Cannot attest "${raw}": name an exact version or none`, { hint: `aam registry attest --key K ${ref.name}@<version>` });
            return { name: ref.name, version: ref.version };
          });
      const expiresDays = parseExpiresDays(o.expires);
      const keys = await Promise.all(keyRefs.map((key) => ed25519Key(ctx, { key, passphraseFile: o.passphraseFile })));
      const target = await openForWrite(ctx, o.registry, o.branch);
      const info = await target.opened.reader.info();
      const policy = await trustPolicy(ctx, {}, info.require_signatures);
      const trust = await localTrust(ctx);
      const r = await target.write("registry attest", (root) =>
        attestRegistry({ root, keys, select, allowRewind: new Set(list(o.allowRewind)), expiresDays, policy, trust, now: ctx.now(), actor: actor(), lockTimeoutMs: undefined }),
      );
      if (ctx.out.json) ctx.out.data({ ok: r.failed.length === 0, ...r });
      else {
        for (const a of r.attested) ctx.out.line(`✓ attested ${u(a.package)}@${u(a.version)}`);
        for (const f of r.failed) ctx.out.essential(`✗ ${u(f.package)}@${u(f.version)}: [${f.code}] ${u(f.reason)}`);
        ctx.out.line(`Signed snapshot ${r.serial} of "${r.registry}" (expires ${r.expires_at}; ${r.bins.length} bin(s) rewritten)`);
      }
      if (r.failed.length > 0) {
        const first = r.failed[0];
        throw new AamError(first.code as AamError["code"], `${r.failed.length} version(s) not attested; the snapshot lists the others`, {
          package: first.package,
          version: first.version,
          hint: "fix or reject the versions named above (aam registry reject <pkg>@<v> --reason ...), then attest again",
          reportedAsJson: true,
        });
      }
    });

  cli
    .command("reject <ref>", "Mark a version rejected: never installed, verified as good or prepared")
    .option("--reason <text>", "Why (shown to everyone who asks for the version)")
    .option("--key <key>", "Attestation key (fingerprint or name)")
    .option("--registry <registry>", "Registry name or folder")
    .option("--branch <branch>", "Git registry: push to this branch (default: the default branch)")
    .option("--passphrase-file <file>", "Read the key's passphrase from this file")
    .example('aam registry reject @acme/tool@1.2.0 --reason "steals tokens" --key registry-ci')
    .action(async (raw: string, o: { reason?: string; key?: string | string[]; registry?: string; branch?: string; passphraseFile?: string }) => {
      const ref = parsePackageRef(raw);
      const keyRefs = list(o.key);
      if (!ref.version) throw new AamError("UsageError", `Cannot reject "${raw}": name an exact version`, { hint: `aam registry reject ${ref.name}@<version> --reason "why" --key K` });
      if (o.reason === undefined) throw new AamError("UsageError", `Cannot reject "${raw}": --reason is required`, { hint: `aam registry reject ${raw} --reason "why" --key K` });
      if (keyRefs.length !== 1) throw new AamError("UsageError", `Cannot reject "${raw}": give one attestation key with --key`, { hint: `aam registry reject ${raw} --reason "why" --key K` });
      const version = ref.version;
      const key = await ed25519Key(ctx, { key: keyRefs[0], passphraseFile: o.passphraseFile });
      const target = await openForWrite(ctx, o.registry, o.branch);
      const r = await target.write(`registry reject ${ref.name}@${version}`, (root) =>
        rejectVersion({ root, name: ref.name, version, reason: String(o.reason), key, now: ctx.now(), actor: actor() }),
      );
      if (ctx.out.json) ctx.out.data({ ok: true, package: ref.name, version, rejected: true, ...r });
      else ctx.out.line(`Rejected ${u(ref.name)}@${u(version)}; signed snapshot ${r.serial} of "${r.registry}" (expires ${r.expires_at})`);
    });
}
