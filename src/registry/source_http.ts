/**
 * A registry tree served statically over http(s) (SPEC §4), read-only, with fetch: a timeout per
 * request, retries with backoff on network errors and 5xx, and 404 answered as "absent".
 */
import { AamError } from "../errors.ts";
import type { RegistrySource } from "./source.ts";

export interface HttpOptions {
  timeoutMs?: number;
  retries?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function httpSource(url: string, opts: HttpOptions = {}): RegistrySource {
  const base = url.endsWith("/") ? url : url + "/";
  const timeout = opts.timeoutMs ?? 15_000;
  const retries = opts.retries ?? 3;
  async function get(rel: string): Promise<Uint8Array | null> {
    const target = new URL(rel.split("/").map(encodeURIComponent).join("/"), base).toString();
    let last: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(200 * 2 ** (attempt - 1));
      try {
        const res = await fetch(target, { signal: AbortSignal.timeout(timeout), redirect: "follow" });
        if (res.status === 404 || res.status === 410) {
          await res.body?.cancel();
          return null;
        }
        if (res.status >= 500) {
          await res.body?.cancel();
          last = new Error(`HTTP ${res.status}`);
          continue;
        }
        if (!res.ok) {
          await res.body?.cancel();
          throw new AamError("Error", `Cannot read "${target}": HTTP ${res.status}`, {
            file: target,
            hint: "check the registry URL and that the server allows reading it",
          });
        }
        return new Uint8Array(await res.arrayBuffer());
      } catch (e) {
        if (e instanceof AamError) throw e;
        last = e;
      }
    }
    const why = last instanceof Error ? last.message : String(last);
    throw new AamError("NotFound", `Cannot reach registry "${url}": ${why}`, {
      file: target,
      hint: "check the network and the URL; for air-gapped use, prepare with `aam verify --offline-prepare` while connected",
    });
  }
  return {
    kind: "http",
    location: url,
    readBytes: get,
    async readText(rel) {
      const b = await get(rel);
      return b === null ? null : new TextDecoder().decode(b);
    },
    listDir: async () => null,
  };
}
