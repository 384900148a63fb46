import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";

const ROOT = new URL("../../", import.meta.url);

// gunzip_decoder.ts reads fflate's private Inflate state (`s.f`, `s.l`, `s.p`, `p`) to tell the end
// of the deflate stream and data past it; no public API gives either. (Packing no longer uses
// fflate: _deflate_block.ts is AAM's own encoder, pinned by pack_test.ts's golden checksums.) So
// fflate is pinned to one version: before upgrading, check those fields in fflate's source, run the
// archive suite, then change this number.
const PINNED_FFLATE = "0.8.3";

describe("fflate", () => {
  test(`is exactly ${PINNED_FFLATE}: gunzip_decoder.ts reads its private state`, () => {
    const installed = JSON.parse(readFileSync(new URL("node_modules/fflate/package.json", ROOT), "utf8")).version;
    const declared = JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8")).dependencies.fflate;
    expect({ installed, declared }).toEqual({ installed: PINNED_FFLATE, declared: PINNED_FFLATE });
  });
});
