import { describe, test, expect } from "bun:test";
import { checkInTotoSubject } from "./in_toto_subject.ts";

const HEX = "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const TYPE = "application/vnd.in-toto+json";

describe("checkInTotoSubject()", () => {
  test("checkInTotoSubject() answers null when a subject has the artifact's sha256", () => {
    const st = { _type: "https://in-toto.io/Statement/v1", subject: [{ name: "x", digest: { sha256: "00" } }, { name: "a.txt", digest: { sha256: HEX.toUpperCase() } }] };
    expect(checkInTotoSubject(TYPE, enc(st), HEX)).toBeNull();
  });

  test.each([
    ["another payload type", "text/plain", enc({ subject: [{ digest: { sha256: HEX } }] })],
    ["a payload that is not JSON", TYPE, new TextEncoder().encode("{")],
    ["a payload that is not UTF-8", TYPE, new Uint8Array([0xff, 0xfe])],
    ["no subject", TYPE, enc({ subject: [] })],
    ["a subject with another digest", TYPE, enc({ subject: [{ digest: { sha256: HEX.slice(1) + "0" } }] })],
    ["a subject with only a sha512", TYPE, enc({ subject: [{ digest: { sha512: HEX } }] })],
  ])("checkInTotoSubject() answers a reason for %s", (_what, type, payload) => {
    expect(checkInTotoSubject(type as string, payload as Uint8Array, HEX)).toBeString();
  });
});
