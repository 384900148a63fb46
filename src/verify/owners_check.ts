/**
 * `registry verify`'s owners check (SPEC §4, §7): replaying each package's audit events from no
 * owners, every `ownership.transfer` must verify and be signed by a key allowed at that point (a
 * current owner's; for the first owners, an attestation key listed in registry.yaml or signing its
 * snapshot), the replay must end at metadata.yaml's `owners`, and every version published while the
 * package had owners must carry a valid signature by one of them.
 */
import { AamError } from "../errors.ts";
import type { RegistryReader } from "../registry/reader.ts";
import type { Metadata } from "../registry/metadata.ts";
import { parseAuditEvents, type AuditEvent } from "../registry/audit_log.ts";
import { attestationKeysOf } from "../registry/registry_file.ts";
import { REGISTRY_FILE } from "../registry/layout.ts";
import { isValidRegistryName } from "../manifest/registry_name.ts";
import { OWNERSHIP_EVENT, replayOwnership } from "../attest/ownership.ts";
import { sameOwners } from "../trust/owners.ts";
import type { LocalTrust } from "./local_trust.ts";
import { findOwnerSignature } from "./owner_signature.ts";

export interface OwnersSink {
  fail: (subject: string, e: unknown) => void;
}

/** Fingerprints that may set a package's first owners, as far as the registry itself says. */
async function attestationKeys(reader: RegistryReader): Promise<Set<string>> {
  const keys = new Set<string>();
  const ry = await reader.source.readText(REGISTRY_FILE);
  if (ry !== null) for (const k of attestationKeysOf(ry, `${reader.location}/${REGISTRY_FILE}`)) keys.add(k);
  try {
    const snap = JSON.parse((await reader.source.readText("snapshot.json")) ?? "null") as { signatures?: { key_fingerprint?: unknown }[] } | null;
    for (const s of snap?.signatures ?? []) if (typeof s?.key_fingerprint === "string") keys.add(s.key_fingerprint.toLowerCase());
  } catch {
    // A damaged snapshot is the snapshot check's report.
  }
  return keys;
}

export async function checkRegistryOwners(reader: RegistryReader, metas: readonly Metadata[], auditText: string, out: OwnersSink, opts: { trust?: LocalTrust; now: Date }): Promise<void> {
  // Most registries have no owners: then the log is not parsed again.
  if (!metas.some((m) => (m.owners ?? []).length > 0) && !auditText.includes(`"${OWNERSHIP_EVENT}"`)) return;
  const byPackage = new Map<string, AuditEvent[]>();
  for (const e of parseAuditEvents(auditText)) {
    if (typeof e.package !== "string") continue;
    if (!byPackage.has(e.package)) byPackage.set(e.package, []);
    byPackage.get(e.package)!.push(e);
  }
  const registry = (await reader.info()).name;
  let keys: Set<string> | undefined;
  for (const m of metas) {
    const events = byPackage.get(m.name) ?? [];
    if ((m.owners ?? []).length === 0 && !events.some((e) => e.event === OWNERSHIP_EVENT)) continue;
    const subject = `${m.name} owners`;
    if (!isValidRegistryName(registry)) {
      out.fail(subject, new AamError("PolicyViolation", `registry.yaml's name ${JSON.stringify(registry)} is not a registry name, so no ownership.transfer can verify`));
      continue;
    }
    keys ??= await attestationKeys(reader);
    const r = await replayOwnership(registry, m.name, [], events, keys);
    for (const p of r.problems) out.fail(subject, new AamError("PolicyViolation", `audit.log line ${p.seq}: ownership.transfer not accepted: ${p.reason}`));
    if (!sameOwners(r.owners, m.owners)) {
      out.fail(subject, new AamError("PolicyViolation", `metadata.yaml lists owners [${(m.owners ?? []).join(", ")}], but the signed ownership.transfer events end at [${r.owners.join(", ")}]`));
    }
    for (const [version, owners] of r.publishedUnder) {
      const record = m.versions.find((v) => v.version === version);
      if (!record) continue; // the registry's own consistency checks report a lost version
      try {
        const pv = await reader.versionOf(m, record);
        const found = await findOwnerSignature(
          { name: m.name, version, sigText: await reader.sig(pv), sigFile: `${reader.location}/${pv.sigFile}`, packageHash: record.checksum, archive: async () => await reader.archiveSource(pv), trust: opts.trust, now: opts.now },
          owners,
        );
        if (found === undefined) out.fail(`${m.name}@${version}`, new AamError("PolicyViolation", `published while "${m.name}" had owners [${owners.join(", ")}], but no owner's valid signature is in its .sig`));
      } catch (e) {
        out.fail(`${m.name}@${version}`, e);
      }
    }
  }
}
