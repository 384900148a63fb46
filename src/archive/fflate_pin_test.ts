import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";

const ROOT = new URL("../../", import.meta.url);

// _deflate_block.ts reads fflate's private Deflate state (`s.r`: the pending partial byte) to end a
// block byte-aligned and sets its hash tables (`s.h`, `s.p`) to reused zeroed arrays, and
// gunzip_decoder.ts reads its private Inflate state (`s.f`, `s.l`, `s.p`, `p`) to tell the end of
// the deflate stream and data past it. No public API gives either, and the
// archive bytes (pack_test.ts golden checksums) depend on fflate's exact deflate output too. So
// fflate is pinned to one version: before upgrading, check those fields and that fix in fflate's
// source, run the archive suite (golden checksums included), then change this number.
const PINNED_FFLATE = "0.8.3";

describe("fflate", () => {
  test(`is exactly ${PINNED_FFLATE}: _deflate_block.ts and gunzip_decoder.ts read its private state`, () => {
    const installed = JSON.parse(readFileSync(new URL("node_modules/fflate/package.json", ROOT), "utf8")).version;
    const declared = JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8")).dependencies.fflate;
    expect({ installed, declared }).toEqual({ installed: PINNED_FFLATE, declared: PINNED_FFLATE });
  });
});
