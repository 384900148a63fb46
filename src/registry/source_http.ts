/**
 * A registry tree served statically over http(s) (SPEC §4), read-only, with fetch: a timeout per
 * request, retries with backoff on network errors and 5xx, and 404 answered as "absent". Every body
 * is read within its file's limit (read_limits.ts) while it streams: the server decides how much it
 * sends, not how much AAM holds.
 */
import { AamError } from "../errors.ts";
import { concatBytes } from "../encoding/bytes.ts";
import { limitForFile, tooLargeError, type ReadLimit } from "../read_limits.ts";
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
  // `take` runs inside the retry loop: a body broken off mid-way is fetched again; a limit is not.
  async function open<T>(rel: string, take: (res: Response, target: string) => Promise<T>): Promise<T | null> {
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
        return await take(res, target);
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
  async function get(rel: string): Promise<Uint8Array | null> {
    return await open(rel, (res, target) => readBodyBounded(res, limitForFile(rel), target));
  }
  return {
    kind: "http",
    location: url,
    readBytes: get,
    async readText(rel) {
      const b = await get(rel);
      return b === null ? null : new TextDecoder().decode(b);
    },
    async readStream(rel) {
      return await open(rel, async (res, target) => streamBounded(res, limitForFile(rel), target));
    },
    listDir: async () => null,
  };
}

/**
 * A response body as chunks, given up (the stream cancelled) as soon as it passes `limit.maxBytes`,
 * so an endless or huge body costs at most one chunk, or the limit when collected. A declared
 * Content-Length over the limit is refused before reading.
 * @throws {AamError} `limit.code` past the limit
 */
export async function* streamBounded(res: Response, limit: ReadLimit, url: string): AsyncGenerator<Uint8Array> {
  const declared = res.headers.get("content-length");
  // Only an unencoded length counts: with Content-Encoding it is the compressed size.
  if (declared !== null && !res.headers.has("content-encoding") && Number(declared) > limit.maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw tooLargeError(limit, url);
  }
  if (res.body === null) return;
  const reader = res.body.getReader();
  let n = 0;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      n += value.length;
      if (n > limit.maxBytes) throw tooLargeError(limit, url);
      yield value;
    }
  } finally {
    // Past the limit, failed, or the consumer stopped: stop the download too.
    if (!finished) await reader.cancel().catch(() => {});
  }
}

/** A whole response body within `limit` (see streamBounded). */
export async function readBodyBounded(res: Response, limit: ReadLimit, url: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of streamBounded(res, limit, url)) parts.push(c);
  return parts.length === 1 ? parts[0] : concatBytes(parts);
}
