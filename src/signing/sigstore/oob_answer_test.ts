import { describe, test, expect } from "bun:test";
import { oobAnswer } from "./oob_answer.ts";
import { catchAamError } from "../../../test/helpers/errors.ts";

const asObject = (p: URLSearchParams) => Object.fromEntries(p);

describe("oobAnswer()", () => {
  test("a bare code stands with this sign-in's state (PKCE binds it)", () => {
    expect(asObject(oobAnswer("  Ab-3_x.y~z+/=\n", "S"))).toEqual({ code: "Ab-3_x.y~z+/=", state: "S" });
  });

  test("a pasted URL, or its query alone, brings its own code and state", () => {
    expect(asObject(oobAnswer("urn:ietf:wg:oauth:2.0:oob?code=c&state=theirs", "S"))).toEqual({ code: "c", state: "theirs" });
    expect(asObject(oobAnswer("http://127.0.0.1:1/auth/callback?code=c&state=t#frag", "S"))).toEqual({ code: "c", state: "t" });
    expect(asObject(oobAnswer("code=c&state=t", "S"))).toEqual({ code: "c", state: "t" });
    // No state in the URL: nothing is filled in, so the caller's state check refuses it.
    expect(oobAnswer("urn:ietf:wg:oauth:2.0:oob?code=c", "S").get("state")).toBeNull();
  });

  test("nothing, or text that is neither, is a UsageError", () => {
    for (const typed of ["", " \t", "two words", "https://example.org/", "<script>"]) {
      expect(catchAamError(() => oobAnswer(typed, "S")).code).toBe("UsageError");
    }
  });
});
