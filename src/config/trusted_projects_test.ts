import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { statSync, readFileSync, readdirSync } from "node:fs";
import { fs } from "../runtime/index.ts";
import { isTrustedProject, readTrustedProjects, recordTrustedProject, trustedProjectsFile } from "./trusted_projects.ts";

const H1 = "1".repeat(64);
const H2 = "2".repeat(64);
let home = "";

beforeEach(async () => {
  home = await fs.makeTempDir("aam-trusted-");
});
afterEach(async () => {
  await fs.remove(home);
});

describe("trusted projects", () => {
  test("readTrustedProjects() is empty when nothing was recorded", async () => {
    expect(await readTrustedProjects(home)).toEqual([]);
  });

  test("recordTrustedProject() records path and hash; isTrustedProject() needs both to match", async () => {
    await recordTrustedProject(home, "/p/.aam/config.yaml", H1, new Date(0));
    const list = await readTrustedProjects(home);
    expect(isTrustedProject(list, "/p/.aam/config.yaml", H1)).toBe(true);
    expect(isTrustedProject(list, "/p/.aam/config.yaml", H2)).toBe(false);
    expect(isTrustedProject(list, "/q/.aam/config.yaml", H1)).toBe(false);
  });

  test("recordTrustedProject() replaces the record of the same path and keeps others", async () => {
    await recordTrustedProject(home, "/p/.aam/config.yaml", H1, new Date(0));
    await recordTrustedProject(home, "/q/.aam/config.yaml", H1, new Date(0));
    await recordTrustedProject(home, "/p/.aam/config.yaml", H2, new Date(0));
    const list = await readTrustedProjects(home);
    expect(list.map((p) => [p.path, p.sha256])).toEqual([["/q/.aam/config.yaml", H1], ["/p/.aam/config.yaml", H2]]);
  });

  test("recordTrustedProject() writes a private file in state/ and leaves no temp file", async () => {
    const file = await recordTrustedProject(home, "/p/.aam/config.yaml", H1, new Date(0));
    expect(file).toBe(trustedProjectsFile(home));
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(readdirSync(fs.path.dirname(file))).toEqual(["trusted-projects.json"]);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ version: 1, projects: [{ path: "/p/.aam/config.yaml", sha256: H1, trusted_at: "1970-01-01T00:00:00.000Z" }] });
  });

  test("readTrustedProjects() trusts nothing from a file that is not JSON, and skips malformed entries", async () => {
    await fs.mkdirp(fs.path.join(home, "state"));
    await fs.writeFileAtomic(trustedProjectsFile(home), "{oops");
    expect(await readTrustedProjects(home)).toEqual([]);
    await fs.writeFileAtomic(trustedProjectsFile(home), JSON.stringify({ projects: [{ path: "/p", sha256: "short", trusted_at: "x" }, { path: "/q", sha256: H1, trusted_at: "x" }, null] }));
    expect((await readTrustedProjects(home)).map((p) => p.path)).toEqual(["/q"]);
  });
});
