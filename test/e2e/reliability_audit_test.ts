/**
 * The audit log and the write path's recovery, end to end (SPEC §4, §7): edited, reordered, removed and
 * truncated lines are named by `aam registry verify`; every write kind appends its event; a stale lock
 * of a dead process and a pending journal are taken over and finished by the next write.
 */
import { describe, test, expect, beforeAll, beforeEach, afterAll } from "bun:test";
import { cpSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { hostname } from "node:os";
import { createHash } from "node:crypto";
import { aam, tempDir, removeDir, makePackage, errorName, type RuntimeName } from "../helpers.ts";

const RT: RuntimeName = "bun";

describe("reliability: audit.log through aam registry verify", () => {
  let dir: string;
  let pristine: string;
  const run = (args: string[]) => aam(RT, args, { cwd: dir, home: dir });
  const log = () => join(dir, "reg", "audit.log");
  const lines = () => readFileSync(log(), "utf8").split("\n").filter(Boolean);
  const verify = () => {
    const r = run(["registry", "verify", "--json"]);
    return { code: r.code, doc: JSON.parse(r.stdout) };
  };
  beforeAll(() => {
    dir = tempDir("aam-audit-");
    expect(run(["registry", "init", "reg", "--default"]).code).toBe(0);
    expect(run(["key", "generate", "--no-passphrase"]).code).toBe(0);
    for (const v of ["1.0.0", "1.1.0"]) {
      makePackage(join(dir, `p${v}`), "@audit/a", v);
      expect(run(["pkg", "publish", `p${v}`, "--sign"]).code).toBe(0);
    }
    expect(run(["dist-tag", "add", "@audit/a@1.0.0", "stable"]).code).toBe(0);
    expect(run(["dist-tag", "rm", "@audit/a", "stable"]).code).toBe(0);
    expect(run(["yank", "@audit/a@1.0.0"]).code).toBe(0);
    pristine = join(dir, "pristine");
    cpSync(join(dir, "reg"), pristine, { recursive: true });
  });
  beforeEach(() => {
    rmSync(join(dir, "reg"), { recursive: true, force: true });
    cpSync(pristine, join(dir, "reg"), { recursive: true });
  });
  afterAll(() => removeDir(dir));

  test("every write kind appends one chained event: publish, signature.add, key.publish, tag.set, tag.remove, version.yank", () => {
    const events = lines().map((l) => JSON.parse(l).event);
    for (const e of ["package.publish", "signature.add", "key.publish", "tag.set", "tag.remove", "version.yank"]) expect(events).toContain(e);
    const { code, doc } = verify();
    expect(code).toBe(0);
    expect(doc.audit_log).toEqual({ ok: true, events: events.length });
    const info = run(["info", "@audit/a", "--audit-log", "--json"]);
    expect(JSON.parse(info.stdout).audit_log.map((e: { event: string }) => e.event)).toEqual(events);
  });

  const broken: [string, (l: string[]) => string[], number][] = [
    ["an edited line (event renamed)", (l) => l.map((x, i) => (i === 2 ? x.replace(/"event":"[^"]+"/, '"event":"package.publish"').replace(/"actor":"[^"]*"/, '"actor":"mallory"') : x)), 4],
    ["two lines swapped", (l) => [l[0], l[2], l[1], ...l.slice(3)], 2],
    ["a line removed", (l) => [l[0], ...l.slice(2)], 2],
    ["the last line cut short", (l) => [...l.slice(0, -1), l[l.length - 1].slice(0, 40)], -1],
    ["a forged line appended with a wrong prev", (l) => [...l, JSON.stringify({ ...JSON.parse(l[l.length - 1]), seq: l.length + 1 })], -2],
  ];
  test.each(broken)("%s is caught and the first broken line named", (_name, edit, expectedLine) => {
    const before = lines();
    const after = edit(before);
    const text = after.join("\n") + (_name.includes("cut short") ? "" : "\n");
    writeFileSync(log(), text);
    const { code, doc } = verify();
    const line = expectedLine === -1 ? before.length : expectedLine === -2 ? before.length + 1 : expectedLine;
    expect(code).toBe(10);
    expect(doc.audit_log).toMatchObject({ ok: false, broken_line: line });
    expect(doc.failures.map((f: { subject: string; code: string }) => `${f.subject}:${f.code}`)).toEqual(["audit.log:TamperedPackage"]);
  });

  test("a stale lock of a dead process is taken over at once by the next publish", () => {
    writeFileSync(join(dir, "reg", ".aam-registry.lock"), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), time: Date.now() }));
    makePackage(join(dir, "p2"), "@audit/a", "2.0.0");
    const started = Date.now();
    const r = run(["pkg", "publish", "p2"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(existsSync(join(dir, "reg", ".aam-registry.lock"))).toBe(false);
  });

  test("a lock held by a live process makes the write wait, then fail with a clear error naming the holder", () => {
    writeFileSync(join(dir, "reg", ".aam-registry.lock"), JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now() }));
    const r = aam(RT, ["dist-tag", "add", "@audit/a@1.1.0", "beta"], { cwd: dir, home: dir, env: { AAM_LOCK_TIMEOUT_MS: "300" } });
    expect({ code: r.code, error: errorName(r.stderr) }).toEqual({ code: 1, error: "Error" });
    expect(r.stderr).toContain(`process ${process.pid}`);
    expect(r.stderr).toContain("hint:");
    expect(readFileSync(join(dir, "reg", "packages", "audit--a", "metadata.yaml"), "utf8")).not.toContain("beta");
    rmSync(join(dir, "reg", ".aam-registry.lock"));
  });

  test("a journal left by a publish killed after its commit point is finished by the next write", () => {
    // Simulate the kill: the journal of a dist-tag change is in place, none of its files written yet.
    const reg = join(dir, "reg");
    const meta = readFileSync(join(reg, "packages", "audit--a", "metadata.yaml"), "utf8").replace("dist_tags:\n", "dist_tags:\n  rc: 1.1.0\n");
    const audit = readFileSync(log(), "utf8");
    const prev = createHash("sha256").update(audit.split("\n").filter(Boolean).at(-1)!).digest("hex");
    const event = JSON.stringify({ seq: lines().length + 1, time: new Date().toISOString(), event: "tag.set", package: "@audit/a", version: "1.1.0", actor: "t", details: { tag: "rc" }, prev });
    const journal = { format: 1, files: [{ rel: "packages/audit--a/metadata.yaml", text: meta }, { rel: "audit.log", text: audit + event + "\n" }] };
    writeFileSync(join(reg, ".aam-journal.json"), JSON.stringify(journal));
    const pending = verify();
    expect(pending.code).toBe(0);
    expect(pending.doc.warnings.some((w: string) => w.includes(".aam-journal.json"))).toBe(true);
    expect(run(["dist-tag", "add", "@audit/a@1.0.0", "old"]).code).toBe(0);
    expect(existsSync(join(reg, ".aam-journal.json"))).toBe(false);
    const tags = run(["dist-tag", "ls", "@audit/a", "--json"]).stdout;
    expect(tags).toContain("rc");
    expect(tags).toContain("old");
    const after = verify();
    expect(after.code).toBe(0);
    expect(after.doc.warnings).toEqual([]);
    expect(lines().map((l) => JSON.parse(l).details?.tag).slice(-2)).toEqual(["rc", "old"]);
    expect(readdirSync(reg).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  test("a journal in the current form (metadata whole, the audit append as offset and text) is finished by the next write, once", () => {
    const reg = join(dir, "reg");
    const meta = readFileSync(join(reg, "packages", "audit--a", "metadata.yaml"), "utf8").replace("dist_tags:\n", "dist_tags:\n  rc2: 1.1.0\n");
    const audit = readFileSync(log(), "utf8");
    const prev = createHash("sha256").update(audit.split("\n").filter(Boolean).at(-1)!).digest("hex");
    const event = JSON.stringify({ seq: lines().length + 1, time: new Date().toISOString(), event: "tag.set", package: "@audit/a", version: "1.1.0", actor: "t", details: { tag: "rc2" }, prev });
    // Killed halfway through its own append: the event is half on disk, and must not end up twice.
    writeFileSync(log(), audit + event.slice(0, 40));
    const journal = { format: 2, files: [{ rel: "packages/audit--a/metadata.yaml", text: meta }], index: false, audit: { offset: Buffer.byteLength(audit), text: event + "\n" } };
    writeFileSync(join(reg, ".aam-journal.json"), JSON.stringify(journal));
    expect(run(["dist-tag", "add", "@audit/a@1.0.0", "old2"]).code).toBe(0);
    expect(existsSync(join(reg, ".aam-journal.json"))).toBe(false);
    const after = verify();
    expect(after.code).toBe(0);
    expect(after.doc.warnings).toEqual([]);
    expect(lines().map((l) => JSON.parse(l).details?.tag).slice(-2)).toEqual(["rc2", "old2"]);
  });

  test("a current-form journal naming index.yaml or audit.log as a whole file is refused with a named error", () => {
    writeFileSync(join(dir, "reg", ".aam-journal.json"), JSON.stringify({ format: 2, files: [{ rel: "audit.log", text: "" }], index: false, audit: null }));
    const r = run(["dist-tag", "add", "@audit/a@1.0.0", "x"]);
    expect(r.code).toBe(1);
    expect(errorName(r.stderr)).toBe("Error");
    expect(r.stderr).toContain("files[0].rel");
    rmSync(join(dir, "reg", ".aam-journal.json"));
  });

  test("a journal naming a file outside the registry's three is refused with a named error", () => {
    writeFileSync(join(dir, "reg", ".aam-journal.json"), JSON.stringify({ format: 1, files: [{ rel: "../../evil", text: "x" }] }));
    const r = run(["dist-tag", "add", "@audit/a@1.0.0", "x"]);
    expect(r.code).toBe(1);
    expect(errorName(r.stderr)).toBe("Error");
    expect(r.stderr).toContain("files[0].rel");
    expect(existsSync(join(dir, "..", "evil"))).toBe(false);
  });
});
