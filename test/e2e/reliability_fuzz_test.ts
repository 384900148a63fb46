/**
 * Mutation fuzzing (SPEC §10: no input ends in an uncaught exception or a stack trace). A fixed seed,
 * so a failure is reproducible with `npx bun scripts/fuzz.ts --seed <seed> --iterations <n>`.
 */
import { describe, test, expect } from "bun:test";
import { runFuzz, runCliFuzz } from "../../scripts/fuzz.ts";
import { parseYaml } from "../../src/encoding/yaml.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { parseMetadata } from "../../src/registry/metadata.ts";
import { AamError } from "../../src/errors.ts";

describe("reliability: mutation fuzzer", () => {
  test("runFuzz() drives 3,000 mutated .aam/.sig/metadata.yaml/config.yaml through the real parsers: only named errors, nothing escapes", async () => {
    const s = await runFuzz({ seed: 20_261_121, iterations: 3_000 });
    expect(s.failures.map((f) => `${f.iteration} ${f.target} ${f.mutation}: ${f.problem}`)).toEqual([]);
    expect(s.iterations).toBe(3_000);
    // The corpus must exercise both outcomes, or the mutations are not reaching the parsers.
    for (const t of Object.values(s.byTarget)) {
      expect(t.accepted).toBeGreaterThan(0);
      expect(t.inputs - t.accepted).toBeGreaterThan(0);
    }
    expect(s.byTarget.archive.refused.UnsafeArchive).toBeGreaterThan(0);
    expect(s.byTarget.sig.refused.MalformedSignature).toBeGreaterThan(0);
  }, 120_000);

  test("the CLI (bun) on 24 mutated inputs exits with codes from the SPEC table, names the error and prints no stack trace", async () => {
    const s = await runCliFuzz({ seed: 20_261_121, runs: 24 });
    expect(s.failures).toEqual([]);
    expect(s.runs).toBe(24);
  }, 120_000);

  // Inputs the fuzzer found or that it is unlikely to build by chance; each once raised a raw exception.
  test.each([
    ["an unresolved alias (unquoted *@example.com)", "security:\n  trusted_identities: [*@example.com]\n"],
    ["an alias to nothing", "registries: *nowhere\n"],
    ["a billion-laughs alias bomb", "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + Array.from({ length: 9 }, (_, i) => `${"bcdefghij"[i]}: &${"bcdefghij"[i]} [${Array(10).fill(`*${"abcdefghij"[i]}`).join(",")}]`).join("\n") + "\n"],
  ])("parseYaml() answers a named Error for %s", (_name, text) => {
    for (const use of [(t: string) => validateConfig(parseYaml(t, "config.yaml"), "config.yaml"), (t: string) => parseMetadata(t, "metadata.yaml")]) {
      let err: unknown;
      try {
        use(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AamError);
      expect(err).toMatchObject({ code: "Error", details: { file: expect.any(String) } });
    }
  });
});
