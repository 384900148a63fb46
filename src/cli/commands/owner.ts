/** `aam owner add|rm <pkg> <owner> --key K | ls <pkg>` (SPEC §4, §10): who may publish new versions. */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { untrusted as u } from "../output.ts";
import { AamError } from "../../errors.ts";
import { parsePackageRef } from "../../manifest/name.ts";
import { parseOwner } from "../../trust/owners.ts";
import { changeOwners } from "../../publish/owner_change.ts";
import { actor, openFromOptions } from "./_shared.ts";
import { ed25519Key } from "./_signing.ts";
import { openForWrite } from "./_write.ts";

interface ChangeFlags {
  key?: string;
  registry?: string;
  branch?: string;
  passphraseFile?: string;
}

function registerChange(cli: CAC, ctx: Context, op: "add" | "rm"): void {
  cli
    .command(`${op} <package> <owner>`, op === "add" ? "Add an owner (a key fingerprint or a Sigstore identity with its issuer)" : "Remove an owner")
    .option("--key <key>", "Ed25519 key that signs the change (fingerprint or name): a current owner's, or for the first owner a registry attestation key")
    .option("--registry <registry>", "Registry name or folder")
    .option("--branch <branch>", "Git registry: push to this branch (default: the default branch)")
    .option("--passphrase-file <file>", "Read the key's passphrase from this file")
    .example(op === "add" ? "aam owner add @me/tool 3f1c...e9 --key registry-ci" : "aam owner rm @me/tool github:old-org --key my-key")
    .example(op === "add" ? "aam owner add @me/tool 'alice@example.org|https://accounts.google.com' --key my-key" : "aam owner rm @me/tool 3f1c...e9 --key my-key")
    .action(async (name: string, rawOwner: string, o: ChangeFlags) => {
      const ref = parsePackageRef(name);
      if (ref.version !== undefined || ref.tag !== undefined || ref.range !== undefined) {
        throw new AamError("UsageError", `Cannot change owners of "${name}": owners belong to a package, not a version`, { hint: `aam owner ${op} ${ref.name} <owner> --key K` });
      }
      if (typeof o.key !== "string") throw new AamError("UsageError", `Cannot change owners of "${ref.name}": --key is required`, { hint: `aam owner ${op} ${ref.name} <owner> --key <fingerprint|name>` });
      const owner = parseOwner(String(rawOwner));
      const key = await ed25519Key(ctx, { key: o.key, passphraseFile: o.passphraseFile });
      const target = await openForWrite(ctx, o.registry, o.branch);
      const r = await target.write(`owner ${op} ${ref.name} ${owner}`, (root) => changeOwners({ root, name: ref.name, op, owner, key, now: ctx.now(), actor: actor() }));
      if (ctx.out.json) ctx.out.data({ ok: true, package: ref.name, ...r });
      else ctx.out.line(`${ref.name}: owners ${r.owners.length > 0 ? r.owners.map(u).join(", ") : "(none: anyone may publish)"} (signed by ${r.key_fingerprint})`);
    });
}

export function register(cli: CAC, ctx: Context): void {
  registerChange(cli, ctx, "add");
  registerChange(cli, ctx, "rm");
  cli
    .command("ls <package>", "List a package's owners")
    .option("--registry <registry>", "Registry name or location")
    .example("aam owner ls @me/tool --json")
    .action(async (name: string, o: { registry?: string }) => {
      const ref = parsePackageRef(name);
      const meta = await (await openFromOptions(ctx, o.registry)).reader.metadata(ref.name);
      const owners = meta.owners ?? [];
      if (ctx.out.json) return ctx.out.data({ ok: true, package: ref.name, owners });
      if (owners.length === 0) ctx.out.line(`${u(ref.name)} has no owners: anyone who can write to the registry may publish`);
      for (const w of owners) ctx.out.line(u(w));
    });
}
