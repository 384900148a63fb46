/** The one place that knows which runtime AAM runs on. */
export type RuntimeName = "node" | "bun" | "deno";

const g = globalThis as Record<string, unknown>;

export const runtimeName: RuntimeName =
  typeof g.Deno !== "undefined" ? "deno" : typeof g.Bun !== "undefined" ? "bun" : "node";

export function runtimeVersion(): string {
  if (runtimeName === "deno") return `deno ${(g.Deno as { version: { deno: string } }).version.deno}`;
  if (runtimeName === "bun") return `bun ${(g.Bun as { version: string }).version}`;
  return `node ${(g.process as { version: string }).version}`;
}
