import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AamError } from "../errors.ts";
import { isJournalTarget, recoverJournal } from "./journal.ts";
import { JOURNAL_FILE } from "./layout.ts";

function registryWith(journal: unknown): string {
  const root = mkdtempSync(join(tmpdir(), "aam-journal-"));
  mkdirSync(join(root, "packages", "a--b"), { recursive: true });
  writeFileSync(join(root, "packages", "a--b", "1.0.0.sig"), "old");
  writeFileSync(join(root, "packages", "a--b", "2.0.0.sig"), "old");
  writeFileSync(join(root, JOURNAL_FILE), JSON.stringify(journal));
  return root;
}

describe("journal", () => {
  test("names metadata, the snapshot and a version's .sig in either layout, nothing else", () => {
    for (const rel of ["registry.yaml", "snapshot.json", "snapshot/bins/0a.json", "packages/a--b/metadata.yaml", "packages/a--b/1.0.0.sig", "packages/a--b/versions/1.0.0-rc.1+b.sig"]) {
      expect({ rel, ok: isJournalTarget(rel) }).toEqual({ rel, ok: true });
    }
    for (const rel of ["audit.log", "packages/a--b/1.0.0.aam", "packages/../x.sig", "packages/a--b/../../x.sig", "keys/k.pem", "packages/A--b/1.0.0.sig", ".aam-ci/verify.sh"]) {
      expect({ rel, ok: isJournalTarget(rel) }).toEqual({ rel, ok: false });
    }
  });

  test("a recovered journal rewrites and removes the .sig files it names (a reject finished by the next write)", async () => {
    const root = registryWith({ format: 2, files: [{ rel: "packages/a--b/1.0.0.sig", text: "new" }], index: false, audit: null, remove: ["packages/a--b/2.0.0.sig"] });
    try {
      await recoverJournal(root);
      expect(readFileSync(join(root, "packages", "a--b", "1.0.0.sig"), "utf8")).toBe("new");
      expect(existsSync(join(root, "packages", "a--b", "2.0.0.sig"))).toBe(false);
      expect(existsSync(join(root, JOURNAL_FILE))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("a planted journal that removes anything but a .sig is refused, and nothing is removed", async () => {
    const root = registryWith({ format: 2, files: [], index: false, audit: null, remove: ["packages/a--b/1.0.0.sig", "registry.yaml"] });
    try {
      const e = await recoverJournal(root).catch((x) => x);
      expect(e).toBeInstanceOf(AamError);
      expect((e as AamError).details.field).toBe("remove");
      expect(readFileSync(join(root, "packages", "a--b", "1.0.0.sig"), "utf8")).toBe("old");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
