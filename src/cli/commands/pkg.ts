/** `aam pkg init|validate|pack|sign|publish` (SPEC §2, §3, §5, §10). */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { AamError, type Problem } from "../../errors.ts";
import { fs, proc } from "../../runtime/index.ts";
import { parseYaml } from "../../encoding/yaml.ts";
import { validateManifest } from "../../manifest/validate.ts";
import { checkArtifactPaths } from "../../manifest/load.ts";
import type { Manifest } from "../../manifest/schema.ts";
import { scaffoldFiles } from "../../manifest/init.ts";
import { toFsName, isValidName, parsePackageRef } from "../../manifest/name.ts";
import { packToFile } from "../../archive/index.ts";
import { readArchiveManifest } from "../../verify/archive_manifest.ts";
import { addSignatures } from "../../registry/writer.ts";
import { addEntry, parseSigFile, serializeSigFile } from "../../signing/sig_file.ts";
import { publishPackage, summarise } from "../../publish/publish_package.ts";
import { checksumOf } from "../../encoding/sha256.ts";
import { verifyPackage } from "../../verify/pipeline.ts";
import { actor, localTrust, trustPolicy } from "./_shared.ts";
import { openForWrite } from "./_write.ts";
import { signArchive, type SignOptions, type SignResult } from "./_signing.ts";
import { ARCHIVE_LIMIT, DOCUMENT_LIMIT, SIG_LIMIT } from "../../read_limits.ts";

interface Validated {
  manifest?: Manifest;
  problems: Problem[];
  warnings: Problem[];
  file: string;
}

async function validateFolder(dir: string): Promise<Validated> {
  const file = fs.path.join(dir, "aam.yaml");
  const text = await fs.readTextIfExists(file, DOCUMENT_LIMIT);
  if (text === null) {
    throw new AamError("NotFound", `Cannot find aam.yaml in "${dir}"`, { file, hint: `aam pkg init ${dir} --name <name>` });
  }
  const v = validateManifest(parseYaml(text, file));
  const problems = [...v.problems];
  if (v.manifest) {
    const kinds = new Map<string, "file" | "dir">();
    for (const [kind, list] of Object.entries(v.manifest.artifacts)) {
      for (const a of list ?? []) {
        const st = await fs.stat(fs.path.join(dir, ...a.path.replace(/\/$/, "").split("/")));
        if (st?.isDirectory) kinds.set(a.path, "dir");
        else if (st?.isFile) kinds.set(a.path, "file");
        void kind;
      }
    }
    problems.push(...checkArtifactPaths(v.manifest, (p: string) => kinds.get(p) ?? false));
  }
  return { manifest: problems.length === 0 ? v.manifest : undefined, problems, warnings: v.warnings ?? [], file };
}

function requireValid(v: Validated): Manifest {
  if (!v.manifest) {
    throw new AamError("Error", `Invalid manifest "${v.file}": ${v.problems.length} problem(s)`, {
      file: v.file,
      problems: v.problems,
      hint: "fix the fields named above, then run `aam pkg validate`",
    });
  }
  return v.manifest;
}

async function outputPath(dir: string, output: string | undefined, m: Manifest, cwd: string): Promise<string> {
  const fileName = `${toFsName(m.name)}-${m.version}.aam`;
  if (!output) return fs.path.join(dir, "dist", fileName);
  const abs = fs.path.resolve(cwd, output);
  const st = await fs.stat(abs);
  if (st?.isDirectory || output.endsWith("/")) return fs.path.join(abs, fileName);
  return abs;
}

/** Packs the folder straight into its output file (streamed: memory does not grow with the package). */
export async function packFolder(ctx: Context, dir: string, output?: string) {
  const manifest = requireValid(await validateFolder(dir));
  const file = await outputPath(dir, output, manifest, ctx.cwd);
  await fs.mkdirp(fs.path.dirname(file));
  try {
    const packed = await packToFile(dir, file, { onProgress: (n: number) => ctx.out.progress("Packing", n) });
    return { manifest, file, ...packed };
  } finally {
    ctx.out.clearProgress();
  }
}

async function ask(p: proc.Prompter, q: string, dflt?: string): Promise<string> {
  const a = (await p.ask(`${q}${dflt ? ` (${dflt})` : ""}: `)).trim();
  return a || dflt || "";
}

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

export function register(cli: CAC, ctx: Context): void {
  cli
    .command("init [dir]", "Create aam.yaml and an example artifact")
    .option("--name <name>", "Package name, e.g. @author/my-package")
    .option("--version <version>", "Initial version", { default: "1.0.0" })
    .option("--description <text>", "What it does")
    .option("--author <author>", "Author")
    .option("--yes, -y", "Do not ask; use the flags and defaults")
    .example("aam pkg init my-package --name @me/my-package --description 'Reviews code' --yes")
    .action(async (dirArg: string | undefined, o: { name?: string; version: string; description?: string; author?: string; yes?: boolean }) => {
      const dir = fs.path.resolve(ctx.cwd, dirArg ?? ".");
      let { name, description, author } = o;
      let version = String(o.version);
      const interactive = !o.yes && !ctx.out.json && proc.isStdinTTY();
      if (interactive) {
        const p = await proc.openPrompter();
        try {
          name = await ask(p, "Package name", name ?? fs.path.basename(dir));
          version = await ask(p, "Version", version);
          description = await ask(p, "Description", description ?? "");
          author = (await ask(p, "Author", author ?? "")) || undefined;
        } finally {
          p.close();
        }
      }
      if (!name) throw new AamError("UsageError", "Cannot create a package without a name", { hint: "aam pkg init --name @author/my-package --yes" });
      if (!isValidName(name)) {
        throw new AamError("UsageError", `Invalid package name "${name}"`, { hint: "use lowercase letters, digits and '-', optionally scoped: @author/my-package" });
      }
      if (await fs.stat(fs.path.join(dir, "aam.yaml"))) {
        throw new AamError("UsageError", `Cannot create "${fs.path.join(dir, "aam.yaml")}": it already exists`, { hint: `aam pkg validate ${dirArg ?? "."}` });
      }
      const files = scaffoldFiles({ name, version, description: description ?? "", author });
      const written: string[] = [];
      for (const [rel, content] of Object.entries(files)) {
        const p = fs.path.join(dir, ...rel.split("/"));
        if (await fs.stat(p)) continue; // never overwrite the user's files
        await fs.mkdirp(fs.path.dirname(p));
        await fs.writeFileAtomic(p, content);
        written.push(rel);
      }
      if (ctx.out.json) ctx.out.data({ ok: true, path: dir, name, version, files: written });
      else {
        ctx.out.line(`Created ${name}@${version} in ${dir}`);
        for (const w of written) ctx.out.line(`  ${w}`);
        ctx.out.line(`Next: aam pkg validate ${dirArg ?? "."} && aam pkg pack ${dirArg ?? "."}`);
      }
    });

  cli
    .command("validate [dir]", "Check aam.yaml and every artifact path; report every problem")
    .example("aam pkg validate ./my-package")
    .action(async (dirArg: string | undefined) => {
      const dir = fs.path.resolve(ctx.cwd, dirArg ?? ".");
      const v = await validateFolder(dir);
      if (ctx.out.json) {
        ctx.out.data({ ok: v.problems.length === 0, file: v.file, problems: v.problems, warnings: v.warnings });
        if (v.problems.length > 0) {
          throw new AamError("Error", `Invalid manifest "${v.file}"`, { file: v.file, problems: v.problems, reportedAsJson: true });
        }
        return;
      }
      for (const w of v.warnings) ctx.out.warn(`${w.path}: ${w.message}`);
      const m = requireValid(v);
      ctx.out.line(`✓ ${m.name}@${m.version}: aam.yaml is valid`);
    });

  cli
    .command("pack [dir]", "Pack the folder into a reproducible .aam archive")
    .option("--output, -o <path>", "File or folder to write (default: <dir>/dist/)")
    .example("aam pkg pack ./my-package --output ./out/")
    .action(async (dirArg: string | undefined, o: { output?: string }) => {
      const dir = fs.path.resolve(ctx.cwd, dirArg ?? ".");
      const r = await packFolder(ctx, dir, o.output);
      if (ctx.out.json) ctx.out.data({ ok: true, package: r.manifest.name, version: r.manifest.version, path: r.file, checksum: r.checksum, size: r.size, entries: r.entries });
      else {
        ctx.out.essential(r.file);
        ctx.out.essential(r.checksum);
      }
    });

  cli
    .command("sign <target>", "Sign an .aam archive (writes or extends <file>.sig), or a published <pkg>@<version> in a registry")
    .option("--key <key>", "Key name or fingerprint (default: security.signing_key)")
    .option("--signing-method <method>", "ed25519 | openpgp | gpg | sigstore")
    .option("--gpg-key <id>", "Key for --signing-method gpg")
    .option("--gpg-keys <ids>", "Sign with gpg once per key: one openpgp entry each (comma-separated)")
    .option("--passphrase-file <file>", "Read the key's passphrase from a file")
    .option("--identity-token <jwt>", "OIDC token for --signing-method sigstore")
    .option("--oidc-manual", "Keyless sign-in without a browser here: print the URL, type back the code (or the redirect URL)")
    .option("--registry <registry>", "With <pkg>@<version>: the registry (default: the default registry)")
    .option("--branch <branch>", "With <pkg>@<version> in a git registry: push to this branch")
    .example("aam pkg sign dist/me--my-package-1.0.0.aam --key release")
    .example("aam pkg sign @me/my-package@1.0.0 --key new-key   # add a second signature (key rotation)")
    .action(async (target: string, o: SignOptions & { registry?: string; branch?: string }) => {
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
    });

  cli
    .command("publish [source]", "Publish a package folder (packed first) or an .aam into a registry")
    .option("--registry <registry>", "Registry name or folder (default: the default registry)")
    .option("--sign", "Sign before publishing")
    .option("--signing-method <method>", "ed25519 | openpgp | gpg | sigstore")
    .option("--key <key>", "Key name or fingerprint")
    .option("--gpg-key <id>", "Key for --signing-method gpg")
    .option("--gpg-keys <ids>", "Sign with gpg once per key: one openpgp entry each (comma-separated)")
    .option("--passphrase-file <file>", "Read the key's passphrase from a file")
    .option("--identity-token <jwt>", "OIDC token for --signing-method sigstore")
    .option("--oidc-manual", "Keyless sign-in without a browser here: print the URL, type back the code (or the redirect URL)")
    .option("--tag <tag>", "Dist-tag to point at this version (default: latest, moved only forward)")
    .option("--branch <branch>", "Git registry: push to this branch (default: the default branch)")
    .example("aam pkg publish ./my-package --sign --registry team")
    .action(async (src: string | undefined, o: SignOptions & { registry?: string; sign?: boolean; tag?: string; branch?: string }) => {
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
    });
}
