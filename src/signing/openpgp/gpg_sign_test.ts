import { describe, test, expect } from "bun:test";
import { parseGpgStatus } from "./gpg_sign.ts";

describe("parseGpgStatus()", () => {
  test("parseGpgStatus() splits --status-fd lines from gpg's messages", () => {
    const stderr = [
      "gpg: skipped \"nobody@x\": No secret key",
      "[GNUPG:] INV_SGNR 9 nobody@x",
      "[GNUPG:] FAILURE sign 17",
      "[GNUPG:] SIG_CREATED D 22 8 00 1795305083 2BD42972FFAC35482D4F3630B189F51258A8D7A7",
      "",
      "gpg: signing failed: No secret key",
    ].join("\n");
    const r = parseGpgStatus(stderr);
    expect(r.status).toEqual([
      { keyword: "INV_SGNR", args: ["9", "nobody@x"] },
      { keyword: "FAILURE", args: ["sign", "17"] },
      { keyword: "SIG_CREATED", args: ["D", "22", "8", "00", "1795305083", "2BD42972FFAC35482D4F3630B189F51258A8D7A7"] },
    ]);
    expect(r.messages).toEqual(['gpg: skipped "nobody@x": No secret key', "gpg: signing failed: No secret key"]);
  });

  test("parseGpgStatus() answers nothing for empty output", () => {
    expect(parseGpgStatus("")).toEqual({ status: [], messages: [] });
  });
});
