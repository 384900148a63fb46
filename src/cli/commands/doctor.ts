/** `aam doctor`: checks this machine's setup and says what to fix, one line per check. */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { AamError } from "../../errors.ts";
import { fs, run } from "../../runtime/index.ts";
import { listStoredKeys, keysDir } from "../../keys/store.ts";
import { locationKind, filePathOf } from "../../registry/location.ts";
import { httpSource } from "../../registry/source_http.ts";
import { gitCacheDir } from "../../registry/source_git.ts";
import { listPrepared } from "../../cache/offline.ts";
import { REGISTRY_FILE } from "../../registry/layout.ts";

type Status = "ok" | "warn" | "fail";
interface Check {
  check: string;
  status: Status;
  detail: string;
  fix?: string;
}

const ROOT_MAX_AGE_DAYS = 90;

async function configChecks(ctx: Context, out: Check[]): Promise<boolean> {
  try {
    const c = await ctx.config();
    out.push({ check: "config", status: "ok", detail: `${c.userFile}${c.project ? ` + ${c.projectFile}` : ""}` });
    if (c.ignored.length > 0) {
      out.push({ check: "project config", status: "warn", detail: `${c.projectFile} is not trusted; ignored: ${c.ignored.map((i) => i.key).join(", ")}`, fix: "review that file, then `aam config trust-project` if you trust it" });
    }
    return true;
  } catch (e) {
    const err = e instanceof AamError ? e : new AamError("Error", String(e));
    out.push({ check: "config", status: "fail", detail: err.message, fix: err.details.hint ?? "fix or remove the config file" });
    return false;
  }
}

async function keyChecks(ctx: Context, out: Check[]): Promise<void> {
  const dir = keysDir(ctx.home);
  const st = await fs.stat(dir);
  if (st && (st.mode & 0o077) !== 0) out.push({ check: "key folder", status: "fail", detail: `${dir} is accessible to other users (mode ${(st.mode & 0o777).toString(8)})`, fix: `chmod 700 "${dir}"` });
  const keys = await listStoredKeys(ctx.home);
  for (const k of keys.filter((k) => k.has_private)) {
    const kst = await fs.stat(k.file);
    if (kst && (kst.mode & 0o077) !== 0) out.push({ check: "key file", status: "fail", detail: `${k.file} is readable by other users`, fix: `chmod 600 "${k.file}"` });
    if (!k.encrypted) out.push({ check: "key file", status: "warn", detail: `key "${k.name}" ${k.fingerprint.slice(0, 16)}… is stored unencrypted`, fix: "generate a new key with a passphrase and revoke this one" });
  }
  const sec = (await ctx.config()).merged.security;
  const signing = keys.filter((k) => k.has_private);
  out.push(signing.length > 0 ? { check: "signing keys", status: "ok", detail: `${signing.length} in ${dir}` } : { check: "signing keys", status: "warn", detail: "none", fix: "aam key generate" });
  if (sec.signing_key && !keys.some((k) => k.name === sec.signing_key || k.fingerprint.startsWith(sec.signing_key!.toLowerCase()))) {
    out.push({ check: "signing key", status: "fail", detail: `security.signing_key "${sec.signing_key}" is not in the key store`, fix: "aam key list, then aam config set security.signing_key <name>" });
  }
  const trusted = sec.trusted_keys ?? [];
  const revoked = new Set((sec.revoked_keys ?? []).map((k) => k.toLowerCase()));
  const live = trusted.filter((k) => !revoked.has(k.toLowerCase()));
  out.push(
    live.length + (sec.trusted_identities ?? []).length > 0
      ? { check: "trust", status: "ok", detail: `${live.length} trusted key(s), ${(sec.trusted_identities ?? []).length} trusted identit(ies), ${revoked.size} revoked` }
      : { check: "trust", status: "warn", detail: "nothing is trusted: signed packages will not verify", fix: "aam key trust <key.pem | fingerprint>" },
  );
  out.push({ check: "on_signature_failure", status: sec.on_signature_failure === "error" || sec.require_signature ? "ok" : "warn", detail: `${sec.on_signature_failure}${sec.require_signature ? ", signatures required" : ""}`, ...(sec.on_signature_failure === "error" || sec.require_signature ? {} : { fix: "aam config set security.on_signature_failure error" }) });
}

async function toolChecks(ctx: Context, out: Check[]): Promise<void> {
  const gpg = await run("gpg", ["--version"]).catch(() => null);
  out.push(gpg && gpg.code === 0 ? { check: "gpg", status: "ok", detail: new TextDecoder().decode(gpg.stdout).split("\n")[0] } : { check: "gpg", status: "warn", detail: "not installed (needed only for --signing-method gpg)", fix: "apt-get install gnupg" });
  const rootFile = fs.path.join(ctx.home, "trusted_root.json");
  const root = await fs.stat(rootFile);
  if (!root) out.push({ check: "sigstore trusted root", status: "warn", detail: "none (needed only for Sigstore signatures)", fix: "aam trust-root update (online) or aam trust-root import <file>" });
  else {
    const days = Math.floor((ctx.now().getTime() - root.mtimeMs) / 86_400_000);
    out.push(days > ROOT_MAX_AGE_DAYS ? { check: "sigstore trusted root", status: "warn", detail: `${days} days old`, fix: "aam trust-root update, or import a fresh copy" } : { check: "sigstore trusted root", status: "ok", detail: `${days} day(s) old` });
  }
  const prepared = await listPrepared(ctx.home);
  out.push({ check: "offline cache", status: "ok", detail: `${prepared.length} package version(s) prepared` });
}

async function registryChecks(ctx: Context, out: Check[]): Promise<void> {
  const regs = (await ctx.config()).merged.registries ?? [];
  if (regs.length === 0) out.push({ check: "registries", status: "warn", detail: "none configured", fix: "aam registry add <name> <location> --default" });
  for (const r of regs) {
    const name = `registry ${r.name}`;
    const kind = locationKind(r.url);
    if (kind === "file") {
      const ok = await fs.stat(fs.path.join(filePathOf(r.url, ctx.cwd), REGISTRY_FILE));
      out.push(ok ? { check: name, status: "ok", detail: r.url } : { check: name, status: "fail", detail: `${r.url}: no ${REGISTRY_FILE}`, fix: `aam registry remove ${r.name}, or restore the folder` });
    } else if (kind === "http") {
      try {
        const text = await httpSource(r.url, { timeoutMs: 3000, retries: 0 }).readText(REGISTRY_FILE);
        out.push(text !== null ? { check: name, status: "ok", detail: `${r.url} reachable` } : { check: name, status: "fail", detail: `${r.url}: no ${REGISTRY_FILE}`, fix: "check the URL" });
      } catch {
        out.push({ check: name, status: "warn", detail: `${r.url} unreachable`, fix: "fine when offline; prepare packages with aam verify --offline-prepare while connected" });
      }
    } else {
      const cloned = await fs.stat(fs.path.join(gitCacheDir(r.url, ctx.home), ".git"));
      out.push(cloned ? { check: name, status: "ok", detail: `${r.url} (cloned)` } : { check: name, status: "warn", detail: `${r.url} not cloned yet`, fix: `aam registry update ${r.name}` });
    }
  }
}

export function register(cli: CAC, ctx: Context): void {
  cli
    .command("", "Check configuration, keys, trust, tools and registries, and say what to fix")
    .example("aam doctor --json")
    .action(async () => {
      const checks: Check[] = [];
      if (await configChecks(ctx, checks)) {
        await keyChecks(ctx, checks);
        await registryChecks(ctx, checks);
      }
      await toolChecks(ctx, checks);
      const failed = checks.filter((c) => c.status === "fail").length;
      if (ctx.out.json) ctx.out.data({ ok: failed === 0, checks });
      else {
        for (const c of checks) {
          const mark = c.status === "ok" ? ctx.out.paint("green", "✓") : c.status === "warn" ? ctx.out.paint("yellow", "!") : ctx.out.paint("red", "✗");
          ctx.out.line(`${mark} ${c.check}: ${c.detail}`);
          if (c.fix) ctx.out.line(`    fix: ${c.fix}`);
        }
      }
      if (failed > 0) {
        throw new AamError("Error", `${failed} check(s) failed`, { hint: "apply the fixes listed above, then run `aam doctor` again", reportedAsJson: true });
      }
    });
}
