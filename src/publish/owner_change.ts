/**
 * `aam owner add|rm` on a registry folder (SPEC §4): the package's `owners` in metadata.yaml and the
 * index change in one registry write (lock and journal, as a publish), with an `ownership.transfer`
 * event carrying the key's signature over the new list. The key must be a current owner's, or, while
 * the package has no owners, one of registry.yaml's `attestation_keys`.
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { isValidRegistryName } from "../manifest/registry_name.ts";
import { checkFolderOwner } from "../registry/plan.ts";
import { RegistryReader } from "../registry/reader.ts";
import { fileSource } from "../registry/source_fs.ts";
import { changePackage } from "../registry/writer.ts";
import { attestationKeysOf } from "../registry/registry_file.ts";
import { metadataPath, REGISTRY_FILE } from "../registry/layout.ts";
import { toFsName } from "../manifest/name.ts";
import { fingerprint } from "../signing/ed25519/fingerprint.ts";
import type { Ed25519KeyAccess } from "../signing/signer.ts";
import { sortedOwners } from "../trust/owners.ts";
import { mayChangeOwners, OWNERSHIP_EVENT, signTransfer } from "../attest/ownership.ts";
import { unlockOnce } from "./_snapshot_write.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

export interface OwnerChangeOptions {
  root: string;
  name: string;
  op: "add" | "rm";
  /** A canonical owner (trust/owners.ts parseOwner). */
  owner: string;
  key: Ed25519KeyAccess;
  now: Date;
  actor: string;
  lockTimeoutMs?: number;
}

export interface OwnerChangeResult {
  registry: string;
  owners: string[];
  previous: string[];
  key_fingerprint: string;
}

const join = (root: string, rel: string) => fs.path.join(root, ...rel.split("/"));

/**
 * @throws {AamError} NotFound for an unknown package; UsageError when the owner is already listed
 * (add) or not listed (rm); PolicyViolation when the key may not change the owners; Error for a
 * registry whose name is not a registry name (the name is signed in).
 */
export async function changeOwners(o: OwnerChangeOptions): Promise<OwnerChangeResult> {
  const info = await new RegistryReader(fileSource(o.root)).info();
  if (!isValidRegistryName(info.name)) {
    throw new AamError("Error", `Cannot change owners in registry "${o.root}": its name ${JSON.stringify(info.name)} is not a registry name`, {
      file: join(o.root, REGISTRY_FILE),
      field: "name",
      hint: "set registry.yaml's name to lowercase letters, digits, '.', '_' or '-' (at most 64): it is signed into every ownership change",
    });
  }
  const keys = unlockOnce([o.key]);
  try {
    const key = (await keys.all())[0];
    const fp = fingerprint(key.publicKey);
    let result: OwnerChangeResult | undefined;
    await changePackage(o.root, o.name, o, async (current) => {
      const metaFile = join(o.root, metadataPath(toFsName(o.name)));
      if (!current) throw new AamError("NotFound", `Cannot find package "${o.name}" in registry "${o.root}"`, { package: o.name, hint: "publish a version first: aam pkg publish" });
      checkFolderOwner(current, o.name, { root: o.root, file: metaFile });
      const previous = sortedOwners(current.owners ?? []);
      const has = previous.includes(o.owner);
      if (o.op === "add" ? has : !has) {
        throw new AamError("UsageError", `Cannot ${o.op === "add" ? "add" : "remove"} owner "${o.owner}" of "${o.name}": ${has ? "already an owner" : "not an owner"}`, { package: o.name, hint: `aam owner ls ${o.name}` });
      }
      const ryFile = join(o.root, REGISTRY_FILE);
      const attestation = new Set(attestationKeysOf(await fs.readText(ryFile, DOCUMENT_LIMIT), ryFile));
      if (!mayChangeOwners(fp, previous, attestation)) {
        throw new AamError("PolicyViolation", `Cannot change the owners of "${o.name}": key ${fp} is ${previous.length > 0 ? "not an owner's key" : "not one of the registry's attestation keys"}`, {
          package: o.name,
          expected: previous.length > 0 ? previous.join(", ") : `registry.yaml attestation_keys (${[...attestation].join(", ") || "none"})`,
          actual: fp,
          file: previous.length > 0 ? metaFile : ryFile,
          hint: previous.length > 0 ? "sign with a current owner's Ed25519 key (--key)" : "the first owner is set with a registry attestation key: aam owner add <pkg> <owner> --key <attestation key>",
        });
      }
      const owners = o.op === "add" ? sortedOwners([...previous, o.owner]) : previous.filter((w) => w !== o.owner);
      const details = await signTransfer(info.name, o.name, owners, previous, key);
      const { owners: _old, ...rest } = current;
      result = { registry: info.name, owners, previous, key_fingerprint: fp };
      return {
        files: [],
        metadata: owners.length > 0 ? { ...rest, owners } : rest,
        events: [{ event: OWNERSHIP_EVENT, package: o.name, version: null, actor: o.actor, details: { ...details } }],
      };
    });
    return result!;
  } finally {
    keys.wipe();
  }
}
