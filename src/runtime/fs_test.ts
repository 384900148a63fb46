import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync, truncateSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import * as fs from "./fs.ts";
import { catchAamError } from "../../test/helpers/errors.ts";
import { DOCUMENT_LIMIT, SIG_LIMIT, type ReadLimit } from "../read_limits.ts";

const TEN: ReadLimit = { ...DOCUMENT_LIMIT, maxBytes: 10 };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "aam-fs-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readFile() / readText()", () => {
  test("reads a file up to the limit exactly", async () => {
    writeFileSync(join(dir, "ten"), "0123456789");
    expect(await fs.readText(join(dir, "ten"), TEN)).toBe("0123456789");
    writeFileSync(join(dir, "empty"), "");
    expect((await fs.readFile(join(dir, "empty"), TEN)).length).toBe(0);
  });

  test("throws the limit's code one byte past it, naming the file", async () => {
    writeFileSync(join(dir, "eleven"), "0123456789a");
    const err = await catchAamError(fs.readFile(join(dir, "eleven"), TEN));
    expect(err).toMatchObject({ code: "Error", details: { file: join(dir, "eleven") } });
    expect(err.details.hint).toBeTruthy();
    expect((await catchAamError(fs.readText(join(dir, "eleven"), { ...SIG_LIMIT, maxBytes: 10 }))).code).toBe("MalformedSignature");
  });

  test("refuses a huge sparse file from its size, before reading", async () => {
    const p = join(dir, "sparse");
    writeFileSync(p, "");
    truncateSync(p, 1024 * 1024 * 1024);
    expect((await catchAamError(fs.readFile(p, DOCUMENT_LIMIT))).code).toBe("Error");
  });

  test("throws UsageError for a folder, /dev/zero and a FIFO without a writer (no hang)", async () => {
    mkdirSync(join(dir, "sub"));
    expect((await catchAamError(fs.readFile(join(dir, "sub"), TEN))).code).toBe("UsageError");
    expect((await catchAamError(fs.readText("/dev/zero", TEN))).code).toBe("UsageError");
    const fifo = join(dir, "fifo");
    if (spawnSync("mkfifo", [fifo]).status === 0) {
      expect((await catchAamError(fs.readFileIfExists(fifo, TEN))).code).toBe("UsageError");
    }
  });

  test("readFileIfExists() / readTextIfExists() answer null for a missing file", async () => {
    expect(await fs.readFileIfExists(join(dir, "nope"), TEN)).toBeNull();
    expect(await fs.readTextIfExists(join(dir, "nope", "deeper"), TEN)).toBeNull();
  });
});

describe("readThrough()", () => {
  test("reads a file through the caller's buffer, reused for every chunk, up to maxBytes", async () => {
    writeFileSync(join(dir, "twenty"), "01234567890123456789");
    const buf = new Uint8Array(8);
    const seen: string[] = [];
    const n = await fs.readThrough(join(dir, "twenty"), buf, 100, async (c) => {
      expect(c.buffer).toBe(buf.buffer);
      seen.push(new TextDecoder().decode(c));
    });
    expect(n).toBe(20);
    expect(seen).toEqual(["01234567", "89012345", "6789"]);
    expect(await fs.readThrough(join(dir, "twenty"), buf, 11, () => {})).toBe(11);
  });

  test("refuses /dev/zero", async () => {
    const err = await catchAamError(fs.readThrough("/dev/zero", new Uint8Array(4), 8, () => {}));
    expect(err.code).toBe("UsageError");
  });
});

describe("readChunks()", () => {
  test("streams a file, and stops past the limit", async () => {
    writeFileSync(join(dir, "twenty"), "01234567890123456789");
    const got: number[] = [];
    for await (const c of fs.readChunks(join(dir, "twenty"), 4)) got.push(c.length);
    expect(got.reduce((a, b) => a + b, 0)).toBe(20);
    const err = await catchAamError((async () => {
      for await (const _ of fs.readChunks(join(dir, "twenty"), 4, TEN)) void _;
    })());
    expect(err.code).toBe("Error");
  });

  test("refuses /dev/zero", async () => {
    const err = await catchAamError((async () => {
      for await (const _ of fs.readChunks("/dev/zero", 4, TEN)) void _;
    })());
    expect(err.code).toBe("UsageError");
  });
});

describe("readChunksInto()", () => {
  test("streams a file through the one buffer given, and stops past the limit", async () => {
    writeFileSync(join(dir, "twenty"), "01234567890123456789");
    const buf = new Uint8Array(8);
    let text = "";
    for await (const c of fs.readChunksInto(join(dir, "twenty"), buf)) {
      expect(c.buffer).toBe(buf.buffer);
      text += new TextDecoder().decode(c);
    }
    expect(text).toBe("01234567890123456789");
    const err = await catchAamError((async () => {
      for await (const _ of fs.readChunksInto(join(dir, "twenty"), buf, TEN)) void _;
    })());
    expect(err.code).toBe("Error");
  });

  test("refuses /dev/zero and a folder", async () => {
    for (const p of ["/dev/zero", dir]) {
      const err = await catchAamError((async () => {
        for await (const _ of fs.readChunksInto(p, new Uint8Array(4), TEN)) void _;
      })());
      expect(err.code).toBe("UsageError");
    }
  });
});
