import { describe, test, expect } from "bun:test";
import { readBodyBounded, streamBounded } from "./source_http.ts";
import { catchAamError } from "../../test/helpers/errors.ts";
import { ARCHIVE_LIMIT, DOCUMENT_LIMIT, type ReadLimit } from "../read_limits.ts";

const TEN: ReadLimit = { ...DOCUMENT_LIMIT, maxBytes: 10 };

/** A body that never ends, and whether it was cancelled. */
function endless(): { res: Response; cancelled: () => boolean; pulls: () => number } {
  let cancelled = false;
  let pulls = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      pulls++;
      c.enqueue(new Uint8Array(4));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { res: new Response(body), cancelled: () => cancelled, pulls: () => pulls };
}

describe("readBodyBounded()", () => {
  test("reads a body up to the limit exactly", async () => {
    expect((await readBodyBounded(new Response("0123456789"), TEN, "u")).length).toBe(10);
    expect((await readBodyBounded(new Response(null), TEN, "u")).length).toBe(0);
  });

  test("stops an endless body just past the limit and cancels the stream", async () => {
    const e = endless();
    const err = await catchAamError(readBodyBounded(e.res, TEN, "http://x/metadata.yaml"));
    expect(err).toMatchObject({ code: "Error", details: { file: "http://x/metadata.yaml" } });
    expect(e.cancelled()).toBe(true);
    expect(e.pulls()).toBeLessThan(10);
  });

  test("uses the limit's code: an archive past 50 MiB is UnsafeArchive", async () => {
    const e = endless();
    expect((await catchAamError(readBodyBounded(e.res, { ...ARCHIVE_LIMIT, maxBytes: 8 }, "u"))).code).toBe("UnsafeArchive");
  });

  test("refuses a declared Content-Length over the limit before reading", async () => {
    const e = endless();
    const res = new Response(e.res.body, { headers: { "content-length": "11" } });
    expect((await catchAamError(readBodyBounded(res, TEN, "u"))).code).toBe("Error");
    expect(e.pulls()).toBeLessThanOrEqual(1); // a stream may pull once on creation
  });
});

describe("streamBounded()", () => {
  test("cancels the body when the consumer stops early", async () => {
    const e = endless();
    for await (const _ of streamBounded(e.res, TEN, "u")) break;
    expect(e.cancelled()).toBe(true);
  });
});
