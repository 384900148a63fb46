import { test, expect } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { TEMPLATE_FILES } from "./template_files.ts";

test("TEMPLATE_FILES matches registry-template/ (run node scripts/embed_template.mjs after editing it)", () => {
  const dir = join(import.meta.dir, "..", "..", "registry-template");
  const onDisk: Record<string, { text: string; executable: boolean }> = {};
  (function walk(d: string) {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else onDisk[relative(dir, p)] = { text: readFileSync(p, "utf8"), executable: (st.mode & 0o111) !== 0 };
    }
  })(dir);
  expect(TEMPLATE_FILES).toEqual(onDisk);
});
