import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { aamHome, loadConfig, readProjectFile } from "./load.ts";
import { recordTrustedProject } from "./trusted_projects.ts";
import { symlinkSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";

const ED = "d".repeat(64);
let dir = "";
let home = "";
let project = "";

beforeEach(async () => {
  dir = await fs.makeTempDir("aam-config-");
  home = fs.path.join(dir, "home", ".aam");
  project = fs.path.join(dir, "project");
  await fs.mkdirp(home);
  await fs.mkdirp(fs.path.join(project, ".aam"));
});

afterEach(async () => {
  await fs.remove(dir);
});

const writeUser = (text: string) => fs.writeFileAtomic(fs.path.join(home, "config.yaml"), text);
const writeProject = (text: string) => fs.writeFileAtomic(fs.path.join(project, ".aam", "config.yaml"), text);

describe("loadConfig()", () => {
  test("loadConfig() gives the defaults when neither file exists", async () => {
    await fs.remove(fs.path.join(project, ".aam"));
    const c = await loadConfig({ home, cwd: project });
    expect(c.user).toEqual({ security: {} });
    expect(c.project).toBeNull();
    expect(c.merged.security.on_signature_failure).toBe("warn");
    expect(c.userFile).toBe(fs.path.join(home, "config.yaml"));
    expect(c.projectFile).toBe(fs.path.join(project, ".aam", "config.yaml"));
  });

  test("loadConfig() applies a project file's tightening keys and leaves out its loosening ones", async () => {
    await writeUser(`security:\n  on_signature_failure: error\n  signing_key: mine\n  trusted_identities: ["*@a.example"]\n`);
    await writeProject(`security:\n  on_signature_failure: ignore\n  trusted_identities: ["*@b.example"]\n  require_signature: true\n`);
    const c = await loadConfig({ home, cwd: project });
    expect(c.merged.security).toMatchObject({ on_signature_failure: "error", signing_key: "mine", trusted_identities: ["*@a.example"], require_signature: true });
    expect(c.user.security.on_signature_failure).toBe("error");
    expect(c.project?.security.on_signature_failure).toBe("ignore");
    expect(c.projectTrusted).toBe(false);
    expect(c.ignored.map((i) => i.key)).toEqual(["security.trusted_identities", "security.on_signature_failure"]);
  });

  describe("when trust-project recorded the project file", () => {
    const LOOSE = `security:\n  on_signature_failure: ignore\n  trusted_identities: ["*@b.example"]\n`;

    test("loadConfig() applies the recorded file whole", async () => {
      await writeUser(`security:\n  on_signature_failure: error\n`);
      await writeProject(LOOSE);
      const pf = await readProjectFile(fs.path.join(project, ".aam", "config.yaml"), fs.path.join(home, "config.yaml"));
      await recordTrustedProject(home, pf!.realPath, pf!.sha256, new Date(0));
      const c = await loadConfig({ home, cwd: project });
      expect(c.projectTrusted).toBe(true);
      expect(c.ignored).toEqual([]);
      expect(c.merged.security).toMatchObject({ on_signature_failure: "ignore", trusted_identities: ["*@b.example"] });
    });

    test("loadConfig() treats the file as untrusted again once a byte changes", async () => {
      await writeProject(LOOSE);
      const pf = await readProjectFile(fs.path.join(project, ".aam", "config.yaml"), fs.path.join(home, "config.yaml"));
      await recordTrustedProject(home, pf!.realPath, pf!.sha256, new Date(0));
      await writeProject(LOOSE + "# edited\n");
      const c = await loadConfig({ home, cwd: project });
      expect(c.projectTrusted).toBe(false);
      expect(c.merged.security.on_signature_failure).toBe("warn");
    });

    test("loadConfig() keys trust on the real path: the same bytes in another folder are not trusted", async () => {
      await writeProject(LOOSE);
      const pf = await readProjectFile(fs.path.join(project, ".aam", "config.yaml"), fs.path.join(home, "config.yaml"));
      await recordTrustedProject(home, pf!.realPath, pf!.sha256, new Date(0));
      const other = fs.path.join(dir, "other");
      await fs.mkdirp(fs.path.join(other, ".aam"));
      await fs.writeFileAtomic(fs.path.join(other, ".aam", "config.yaml"), LOOSE);
      expect((await loadConfig({ home, cwd: other })).projectTrusted).toBe(false);
      // A link to the trusted file resolves to it: those are the bytes the user reviewed.
      const linked = fs.path.join(dir, "linked");
      await fs.mkdirp(fs.path.join(linked, ".aam"));
      symlinkSync(fs.path.join(project, ".aam", "config.yaml"), fs.path.join(linked, ".aam", "config.yaml"));
      expect((await loadConfig({ home, cwd: linked })).projectTrusted).toBe(true);
    });

    test("loadConfig() trusts nothing when the state file is not JSON", async () => {
      await writeProject(LOOSE);
      await fs.mkdirp(fs.path.join(home, "state"));
      await fs.writeFileAtomic(fs.path.join(home, "state", "trusted-projects.json"), "{not json");
      expect((await loadConfig({ home, cwd: project })).projectTrusted).toBe(false);
    });
  });

  test("readProjectFile() hashes exactly the bytes it parses", async () => {
    const text = `security:\n  require_signature: true\n`;
    await writeProject(text);
    const pf = await readProjectFile(fs.path.join(project, ".aam", "config.yaml"), fs.path.join(home, "config.yaml"));
    expect(pf).toMatchObject({ text, sha256: createHash("sha256").update(text).digest("hex"), config: { security: { require_signature: true } } });
  });

  test("readProjectFile() refuses a project file that is not a regular file (a FIFO never ends)", async () => {
    const file = fs.path.join(project, ".aam", "config.yaml");
    spawnSync("mkfifo", [file]);
    let err: unknown;
    await readProjectFile(file, fs.path.join(home, "config.yaml")).catch((e) => (err = e));
    // Refused at once by the bounded read (runtime/fs.ts), as any non-regular file is.
    expect(err).toMatchObject({ code: "UsageError", details: { file: await fs.realPath(file) } });
  });

  test("loadConfig() reads the project file of the working folder only, not of a parent", async () => {
    await writeProject(`security:\n  require_signature: true\n`);
    const sub = fs.path.join(project, "sub");
    await fs.mkdirp(sub);
    const c = await loadConfig({ home, cwd: sub });
    expect(c.project).toBeNull();
    expect(c.merged.security.require_signature).toBe(false);
  });

  test("loadConfig() reads one file once when the project file is the user's file", async () => {
    await writeUser(`security:\n  trusted_keys: ["${ED}"]\n`);
    const c = await loadConfig({ home, cwd: fs.path.dirname(home) });
    expect(c.project).toBeNull();
    expect(c.merged.security.trusted_keys).toEqual([ED]);
  });

  test("loadConfig() throws Error naming the file when a file is invalid", async () => {
    await writeProject(`security:\n  on_signature_failure: sometimes\n`);
    let err: unknown;
    await loadConfig({ home, cwd: project }).catch((e) => (err = e));
    expect(err).toBeInstanceOf(AamError);
    expect(err).toMatchObject({ code: "Error", details: { file: fs.path.join(project, ".aam", "config.yaml") } });
  });

  test("loadConfig() throws Error naming the file for broken YAML", async () => {
    await writeUser(`security: [unclosed\n`);
    let err: unknown;
    await loadConfig({ home, cwd: project }).catch((e) => (err = e));
    expect(err).toMatchObject({ code: "Error", details: { file: fs.path.join(home, "config.yaml") } });
  });
});

describe("aamHome()", () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.AAM_HOME;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.AAM_HOME;
    else process.env.AAM_HOME = saved;
  });

  test("aamHome() uses AAM_HOME, made absolute", () => {
    process.env.AAM_HOME = "/srv/aam-home";
    expect(aamHome()).toBe(fs.path.resolve("/srv/aam-home"));
    process.env.AAM_HOME = "rel/home";
    expect(fs.path.isAbsolute(aamHome())).toBe(true);
  });

  test("aamHome() defaults to ~/.aam when AAM_HOME is unset or empty", () => {
    process.env.AAM_HOME = "";
    expect(aamHome().endsWith(`${fs.path.sep}.aam`)).toBe(true);
    delete process.env.AAM_HOME;
    expect(aamHome().endsWith(`${fs.path.sep}.aam`)).toBe(true);
  });
});
