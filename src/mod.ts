/** Deno entry point (deno.json "exports"): the same library API as src/index.ts. */
export * from "./index.ts";
