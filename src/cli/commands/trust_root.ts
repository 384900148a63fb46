/**
 * `aam trust-root import <file> | update` (SPEC §8, §10): the Sigstore trusted root that bundles are
 * verified against, kept at `$AAM_HOME/trusted_root.json`. `import` is offline (a copied file, e.g.
 * from a USB stick); `update` fetches it through Sigstore's TUF repository.
 */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { AamError } from "../../errors.ts";
import { fs } from "../../runtime/index.ts";
import type { TrustedRootSummary } from "../../signing/sigstore/trusted_root.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";

/** Checks `text` is a usable trusted root, then replaces `$AAM_HOME/trusted_root.json` atomically. */
async function install(ctx: Context, text: string, from: string): Promise<{ path: string; summary: TrustedRootSummary }> {
  const { parseTrustedRoot } = await import("../../signing/sigstore/trusted_root.ts");
  const { summary } = await parseTrustedRoot(text, from);
  await fs.mkdirp(ctx.home);
  const path = fs.path.join(ctx.home, "trusted_root.json");
  await fs.writeFileAtomic(path, text);
  return { path, summary };
}

function report(ctx: Context, verb: string, from: string, r: { path: string; summary: TrustedRootSummary }): void {
  if (ctx.out.json) {
    ctx.out.data({ ok: true, source: from, path: r.path, ...r.summary });
    return;
  }
  const s = r.summary;
  ctx.out.line(`${verb} trusted root from ${from}`);
  ctx.out.line(`  ${s.certificate_authorities} certificate authorities, ${s.transparency_logs} transparency logs, ${s.ct_logs} CT logs, ${s.timestamp_authorities} timestamp authorities`);
  ctx.out.line(`Wrote ${r.path}`);
}

export function register(cli: CAC, ctx: Context): void {
  cli
    .command("import <file>", "Install a trusted_root.json copied from elsewhere (offline)")
    .example("aam trust-root import /media/usb/trusted_root.json")
    .action(async (fileArg: string) => {
      const file = fs.path.resolve(ctx.cwd, fileArg);
      const text = await fs.readTextIfExists(file, DOCUMENT_LIMIT);
      if (text === null) throw new AamError("NotFound", `Cannot find trusted root "${file}"`, { file, hint: "check the path; on a connected machine, `aam trust-root update` writes one to $AAM_HOME/trusted_root.json" });
      report(ctx, "Imported", file, await install(ctx, text, file));
    });

  cli
    .command("update", "Fetch the current trusted root through Sigstore's TUF repository (online)")
    .option("--mirror <url>", "TUF repository (default: the public-good instance)")
    .option("--tuf-root <file>", "Initial TUF root.json for a repository other than the public-good or staging one")
    .example("aam trust-root update")
    .action(async (o: { mirror?: string; tufRoot?: string }) => {
      const { fetchTrustedRoot, DEFAULT_TUF_MIRROR } = await import("../../signing/sigstore/fetch_trusted_root.ts");
      const mirror = o.mirror ?? DEFAULT_TUF_MIRROR;
      const tufRootFile = o.tufRoot ? fs.path.resolve(ctx.cwd, o.tufRoot) : undefined;
      if (tufRootFile && (await fs.stat(tufRootFile)) === null) throw new AamError("NotFound", `Cannot find TUF root "${tufRootFile}"`, { file: tufRootFile, hint: "check the path given to --tuf-root" });
      ctx.out.progress(`Fetching the trusted root from ${mirror}`, 0, 1);
      const text = await fetchTrustedRoot({ cacheDir: fs.path.join(ctx.home, "tuf"), mirrorUrl: mirror, tufRootFile });
      ctx.out.clearProgress();
      report(ctx, "Updated", mirror, await install(ctx, text, mirror));
    });
}
