/**
 * `aam pkg sign` and `aam pkg publish` (SPEC §5, §10): loaded by pkg.ts only for these commands,
 * since they bring the signing, verifying and registry-writing code that `pkg pack` does not need.
 */
import type { Context } from "../context.ts";
import { AamError } from "../../errors.ts";
import { fs } from "../../runtime/index.ts";
import type { Manifest } from "../../manifest/schema.ts";
import { parsePackageRef } from "../../manifest/name.ts";
import { readArchiveManifest } from "../../verify/archive_manifest.ts";
import { addSignatures } from "../../registry/writer.ts";
import { addEntry, parseSigFile, serializeSigFile } from "../../signing/sig_file.ts";
import { publishPackage, summarise } from "../../publish/publish_package.ts";
import { checksumOf } from "../../encoding/sha256.ts";
import { verifyPackage } from "../../verify/pipeline.ts";
import { actor, localTrust, trustPolicy } from "./_shared.ts";
import { openForWrite } from "./_write.ts";
import { signArchive, type SignOptions, type SignResult } from "./_signing.ts";
import { ARCHIVE_LIMIT, SIG_LIMIT } from "../../read_limits.ts";
import { packFolder } from "./pkg_folder.ts";

function reportSigned(ctx: Context, m: { name: string; version: string }, r: SignResult, where: string): void {
  const who = r.entries.map((e) => (e.algorithm === "sigstore" ? "sigstore" : `${e.algorithm} ${e.key_fingerprint}`)).join(", ");
  if (ctx.out.json) {
    ctx.out.data({ ok: true, package: m.name, version: m.version, sig: where, package_hash: r.sig.package_hash, signatures: summarise(r.sig) });
    return;
  }
  ctx.out.line(`Signed ${m.name}@${m.version} with ${who}`);
  ctx.out.line(`Wrote ${where} (${r.sig.signatures.length} signature${r.sig.signatures.length === 1 ? "" : "s"})`);
}

/**
 * Adds a signature to a version already in a (folder) registry: the archive is checked against
 * metadata.yaml and its own aam.yaml first, and again under the registry lock when the .sig is written.
 */
async function signPublished(ctx: Context, raw: string, o: SignOptions & { registry?: string; branch?: string }): Promise<void> {
  const ref = parsePackageRef(raw);
  if (!ref.version) {
    throw new AamError("UsageError", `Cannot sign "${raw}": name an .aam file or an exact published version`, { hint: `aam pkg sign ${ref.name}@<version>` });
  }
  const { opened, write } = await openForWrite(ctx, o.registry, o.branch, true);
  const pv = await opened.reader.resolve(ref.name, { version: ref.version });
  const archive = await opened.reader.archive(pv);
  const where = `${opened.reader.location}/${pv.sigFile}`;
  await verifyPackage({ name: pv.name, version: pv.version, archive, expectedChecksum: pv.record.checksum, sigText: null, files: { archive: `${opened.reader.location}/${pv.archiveFile}`, sig: where } }, await trustPolicy(ctx, {}), { skipSignatures: true, now: ctx.now() });
  const before = await opened.reader.sig(pv);
  const r = await signArchive(ctx, archive, pv, before, where, o);
  await write(`sign ${pv.name}@${pv.version}`, async (root) => {
    // A git registry may have gained another signer's entry since `before` was read: keep it.
    const current = await opened.reader.sig(pv);
    const sig = current === before || current === null ? r.sig : r.entries.reduce((s, e) => addEntry(s, e), parseSigFile(current, where));
    const update = { sigText: serializeSigFile(sig), packageHash: r.sig.package_hash, signatures: summarise(sig), added: summarise({ ...sig, signatures: r.entries }), keys: r.keys };
    await addSignatures(root, pv.name, pv.version, update, { now: ctx.now(), actor: actor() });
  });
  reportSigned(ctx, pv, r, where);
}

/** `aam pkg sign <target>`: an .aam file (writes or extends its .sig), or a published version. */
export async function signCommand(ctx: Context, target: string, o: SignOptions & { registry?: string; branch?: string }): Promise<void> {
  const file = fs.path.resolve(ctx.cwd, target);
  const isFile = target.endsWith(".aam") || (await fs.stat(file))?.isFile;
  if (!isFile) return await signPublished(ctx, target, o);
  const archive = await fs.readFileIfExists(file, ARCHIVE_LIMIT);
  if (!archive) throw new AamError("NotFound", `Cannot find archive "${file}"`, { file, hint: "aam pkg pack <dir> makes one" });
  const m = await readArchiveManifest(archive, file);
  const sigFile = `${file}.sig`;
  const r = await signArchive(ctx, archive, m, await fs.readTextIfExists(sigFile, SIG_LIMIT), sigFile, o);
  await fs.writeFileAtomic(sigFile, r.sigText);
  reportSigned(ctx, m, r, sigFile);
}

/** `aam pkg publish [source]`: a package folder (packed first) or an .aam, into a registry. */
export async function publishCommand(ctx: Context, src: string | undefined, o: SignOptions & { registry?: string; sign?: boolean; tag?: string; branch?: string }): Promise<void> {
  const path = fs.path.resolve(ctx.cwd, src ?? ".");
  const st = await fs.stat(path);
  if (!st) throw new AamError("NotFound", `Cannot find "${path}"`, { hint: "pass a package folder or an .aam file" });
  let archive: Uint8Array;
  let archiveFile: string;
  let checksum: string;
  let m: Manifest;
  if (st.isDirectory) {
    // The folder's aam.yaml, validated before packing, is the one the archive holds.
    ({ file: archiveFile, checksum, manifest: m } = await packFolder(ctx, path));
    archive = await fs.readFile(archiveFile, ARCHIVE_LIMIT); // publishing needs the bytes; packing did not hold them
  } else {
    archiveFile = path;
    archive = await fs.readFile(path, ARCHIVE_LIMIT);
    checksum = checksumOf(archive);
    m = await readArchiveManifest(archive, archiveFile);
  }
  const { opened, write } = await openForWrite(ctx, o.registry, o.branch);
  // Signed once: a git push retried on a new head publishes the same signature again.
  let signed: Promise<SignResult> | undefined;
  const sign = o.sign || o.signingMethod || o.gpgKeys !== undefined || o.oidcManual ? (sigText: string | null, sigFile: string, hash: string) => (signed ??= signArchive(ctx, archive, m, sigText, sigFile, o, hash)) : null;
  const r = await write(`publish ${m.name}@${m.version}`, (root) =>
    publishPackage({ root, archive, checksum, archiveFile, manifest: m, sign, tag: o.tag, trust: () => localTrust(ctx) }, { now: () => ctx.now(), actor: actor(), warn: (w) => ctx.out.warn(w) }),
  );
  if (ctx.out.json) {
    ctx.out.data({ ok: true, package: m.name, version: m.version, registry: opened.reader.location, checksum: r.checksum, size: r.size, signed: r.signed, tag: o.tag ?? "latest" });
  } else {
    ctx.out.line(`Published ${m.name}@${m.version} to ${opened.name ?? opened.reader.location} (${r.signed ? "signed" : "unsigned"})`);
    ctx.out.line(`  ${r.checksum}`);
  }
}
