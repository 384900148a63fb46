/** `aam pkg init|validate|pack|sign|publish` (SPEC §2, §3, §5, §10). */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { AamError } from "../../errors.ts";
import { fs, proc } from "../../runtime/index.ts";
import { scaffoldFiles } from "../../manifest/init.ts";
import { isValidName } from "../../manifest/name.ts";
import type { SignOptions } from "./_signing.ts";
import { packFolder, requireValid, validateFolder } from "./pkg_folder.ts";

async function ask(p: proc.Prompter, q: string, dflt?: string): Promise<string> {
  const a = (await p.ask(`${q}${dflt ? ` (${dflt})` : ""}: `)).trim();
  return a || dflt || "";
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
    .action(async (target: string, o: SignOptions & { registry?: string; branch?: string }) => (await import("./pkg_sign.ts")).signCommand(ctx, target, o));

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
    .action(async (src: string | undefined, o: SignOptions & { registry?: string; sign?: boolean; tag?: string; branch?: string }) =>
      (await import("./pkg_sign.ts")).publishCommand(ctx, src, o),
    );
}
