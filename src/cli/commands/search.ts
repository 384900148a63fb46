/** `aam search [query] [--filter signed|unsigned]` (SPEC §10). */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { untrusted as u } from "../output.ts";
import { AamError } from "../../errors.ts";
import { openForRead } from "./_shared.ts";

export function register(cli: CAC, ctx: Context): void {
  cli
    .command("[query]", "Search names, descriptions and keywords")
    .option("--registry <registry>", "Registry name or location")
    .option("--filter <filter>", "signed | unsigned")
    .example("aam search review --filter signed")
    .action(async (query: string | undefined, o: { registry?: string; filter?: string }) => {
      if (o.filter !== undefined && o.filter !== "signed" && o.filter !== "unsigned") {
        throw new AamError("UsageError", `Unknown filter "${o.filter}"`, { hint: "use --filter signed or --filter unsigned" });
      }
      const opened = await openForRead(ctx, o.registry);
      const hits = await opened.reader.search(query, o.filter as "signed" | "unsigned" | undefined);
      if (ctx.out.json) return ctx.out.data({ ok: true, registry: opened.reader.location, query: query ?? "", results: hits });
      if (hits.length === 0) return ctx.out.line(`No packages match${query ? ` "${u(query)}"` : ""}`);
      const w = Math.max(...hits.map((h) => u(`${h.name}@${h.latest}`).length));
      ctx.out.lines(hits.map((h) => `${u(`${h.name}@${h.latest}`).padEnd(w)}  ${h.signed ? "signed  " : "unsigned"}  ${u(h.description)}`));
    });
}
