/**
 * Trust boundary, bounded reads (SPEC §10): a hostile registry or file never makes AAM hang or
 * exhaust memory. An HTTP registry on 127.0.0.1 streams an endless body for one file; local reads
 * get /dev/zero, a folder, and sparse files past the limits. Each attack sits beside the honest case.
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { readFileSync, rmSync, truncateSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { aam, command, RUNTIMES, tempDir, removeDir, makePackage, errorName, type RuntimeName } from "../helpers.ts";

/** Peak memory a CLI run may reach while refusing an endless body (the bodies are cut at 16-50 MiB). */
const MAX_PEAK_KB = 300 * 1024;
/** A run that takes longer is a hang. */
const HANG_MS = 30_000;
const HAS_TIME = existsSync("/usr/bin/time");

interface Measured {
  code: number;
  stdout: string;
  stderr: string;
  peakKb: number | null;
}

/** Runs the CLI asynchronously (the server lives in this process) under /usr/bin/time for its peak RSS. */
function aamMeasured(rt: RuntimeName, args: string[], cwd: string, home: string): Promise<Measured> {
  const [cmd, ...pre] = command(rt);
  const timeFile = join(home, `time-${Math.random().toString(16).slice(2)}.txt`);
  const argv = HAS_TIME ? ["/usr/bin/time", "-f", "%M", "-o", timeFile, cmd, ...pre, ...args] : [cmd, ...pre, ...args];
  return new Promise((done) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: home, AAM_HOME: join(home, ".aam"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), HANG_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      let peakKb: number | null = null;
      if (HAS_TIME && existsSync(timeFile)) {
        const last = readFileSync(timeFile, "utf8").trim().split("\n").at(-1) ?? "";
        peakKb = /^\d+$/.test(last) ? Number(last) : null;
        rmSync(timeFile, { force: true });
      }
      done({ code: code ?? 128, stdout, stderr, peakKb });
    });
    child.stdin.end();
  });
}

/**
 * Serves `root` statically, except `endless`: that path answers 200 with no length and streams
 * `chunk` until the client goes away, or for at most HANG_MS.
 */
interface HostileServer {
  url: string;
  endless: { path: string; chunk: Uint8Array; prefix?: string } | null;
  close(): Promise<void>;
}

async function serveHostile(root: string): Promise<HostileServer> {
  const box: { endless: HostileServer["endless"] } = { endless: null };
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (box.endless && path === box.endless.path) {
      const { chunk, prefix } = box.endless;
      res.writeHead(200, { "content-type": "application/octet-stream" });
      if (prefix) res.write(prefix);
      const stopAt = Date.now() + HANG_MS;
      const pump = () => {
        while (!res.destroyed && Date.now() < stopAt) if (!res.write(chunk)) return void res.once("drain", pump);
        res.end();
      };
      res.on("close", () => res.destroy());
      return pump();
    }
    const p = resolve(join(root, path));
    if (!p.startsWith(resolve(root) + sep) || !existsSync(p) || readdirSafe(p)) return void res.writeHead(404).end();
    const body = readFileSync(p);
    res.writeHead(200, { "content-length": body.length }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    get endless() {
      return box.endless;
    },
    set endless(v) {
      box.endless = v;
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function readdirSafe(p: string): boolean {
  try {
    readdirSync(p);
    return true;
  } catch {
    return false;
  }
}

/** A clear coded error: `error[Name]:`, a hint, and no stack trace. */
function expectCleanError(r: { code: number; stderr: string }, name: string, code: number): void {
  expect(errorName(r.stderr)).toBe(name);
  expect(r.code).toBe(code);
  expect(r.stderr).toContain("hint:");
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

const ZEROS = new Uint8Array(64 * 1024);
const LETTERS = new Uint8Array(64 * 1024).fill(0x61); // one endless line of "aaa…"
const ENTRIES = new TextEncoder().encode("  - name: a\n".repeat(5000)); // an endless list of tiny packages

let dir: string;
beforeAll(() => {
  dir = tempDir();
  expect(aam("node", ["registry", "init", "reg"], { cwd: dir, home: dir }).code).toBe(0);
  makePackage(join(dir, "p1"), "@acme/big", "1.0.0", { description: "Served by a hostile server" });
  expect(aam("node", ["pkg", "publish", "p1", "--registry", join(dir, "reg")], { cwd: dir, home: dir }).code).toBe(0);
  expect(aam("node", ["pkg", "pack", "p1", "--output", join(dir, "honest.aam")], { cwd: dir, home: dir }).code).toBe(0);
});
afterAll(() => removeDir(dir));

describe.each(RUNTIMES)("endless HTTP bodies under %s", (rt: RuntimeName) => {
  let server: HostileServer;
  let home: string;
  beforeAll(async () => {
    server = await serveHostile(join(dir, "reg"));
    home = tempDir();
  });
  afterAll(async () => {
    await server.close();
    removeDir(home);
  });
  const run = (args: string[]) => aamMeasured(rt, [...args, "--registry", server.url], home, home);
  const expectSmall = (r: Measured) => {
    if (r.peakKb !== null) expect(r.peakKb).toBeLessThan(MAX_PEAK_KB);
  };
  const report = (what: string, r: Measured) => console.log(`  peak RSS ${rt} ${what}: ${r.peakKb === null ? "n/a" : `${Math.round(r.peakKb / 1024)} MiB`} (exit ${r.code})`);

  test("the honest registry is searched, shown and verified (control)", async () => {
    server.endless = null;
    const s = await run(["search", "hostile", "--json"]);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout).results[0].name).toBe("@acme/big");
    expect((await run(["info", "@acme/big"])).code).toBe(0);
    const v = await run(["verify", "@acme/big"]);
    report("honest verify", v);
    expect(v.code).toBe(0);
  });

  test("an endless metadata.yaml is refused at 16 MiB: Error (1)", async () => {
    server.endless = { path: "/packages/acme--big/metadata.yaml", chunk: LETTERS };
    const r = await run(["info", "@acme/big"]);
    report("endless metadata.yaml", r);
    expectCleanError(r, "Error", 1);
    expect(r.stderr).toContain("larger than 16777216 bytes");
    expectSmall(r);
  });

  test("an endless .aam is refused at 50 MiB: UnsafeArchive (17)", async () => {
    server.endless = { path: "/packages/acme--big/1.0.0.aam", chunk: ZEROS };
    const r = await run(["verify", "@acme/big"]);
    report("endless .aam", r);
    expectCleanError(r, "UnsafeArchive", 17);
    expectSmall(r);
  });

  test("an endless .sig is refused at 1 MiB: MalformedSignature (14)", async () => {
    server.endless = { path: "/packages/acme--big/1.0.0.sig", chunk: LETTERS };
    const r = await run(["verify", "@acme/big"]);
    report("endless .sig", r);
    expectCleanError(r, "MalformedSignature", 14);
    expectSmall(r);
  });

  test("an endless index.yaml is refused without holding it: Error (1)", async () => {
    server.endless = { path: "/index.yaml", chunk: ZEROS };
    const r = await run(["search", "x"]);
    report("endless index.yaml", r);
    expectCleanError(r, "Error", 1);
    expectSmall(r);
  });

  test("an endless list of index entries stops at 250,000 packages: Error (1)", async () => {
    server.endless = { path: "/index.yaml", chunk: ENTRIES, prefix: "packages:\n" };
    const r = await run(["search", "x"]);
    report("endless index entries", r);
    expectCleanError(r, "Error", 1);
    expectSmall(r);
  });
});

describe.each(RUNTIMES)("hostile local files under %s", (rt: RuntimeName) => {
  const opts = () => ({ cwd: dir, home: dir });
  const quick = (args: string[]) => {
    const t = Date.now();
    const r = aam(rt, args, opts());
    expect(Date.now() - t).toBeLessThan(HANG_MS);
    return r;
  };

  test("verify --file of an honest archive works (control); of /dev/zero or a folder is a UsageError (2)", () => {
    expect(quick(["verify", "--file", join(dir, "honest.aam")]).code).toBe(0);
    expectCleanError(quick(["verify", "--file", "/dev/zero"]), "UsageError", 2);
    expectCleanError(quick(["verify", "--file", dir]), "UsageError", 2);
    expectCleanError(quick(["verify", "--file", join(dir, "honest.aam"), "--sig", "/dev/zero"]), "UsageError", 2);
  });

  test("key trust and trust-root import of /dev/zero end at once with a UsageError (2)", () => {
    expectCleanError(quick(["key", "trust", "/dev/zero"]), "UsageError", 2);
    expectCleanError(quick(["trust-root", "import", "/dev/zero"]), "UsageError", 2);
  });

  test("files past their limit are refused from their size: archive 17, .sig 14, metadata.yaml 1", () => {
    const big = join(dir, `big-${rt}.aam`);
    writeFileSync(big, "");
    truncateSync(big, 60 * 1024 * 1024); // sparse: costs no disk
    expectCleanError(quick(["verify", "--file", big]), "UnsafeArchive", 17);
    const sig = join(dir, `big-${rt}.sig`);
    writeFileSync(sig, "");
    truncateSync(sig, 2 * 1024 * 1024);
    expectCleanError(quick(["verify", "--file", join(dir, "honest.aam"), "--sig", sig]), "MalformedSignature", 14);

    const reg = join(dir, `reg-${rt}`);
    expect(quick(["registry", "init", reg]).code).toBe(0);
    expect(quick(["pkg", "publish", join(dir, "p1"), "--registry", reg]).code).toBe(0);
    expect(quick(["info", "@acme/big", "--registry", reg]).code).toBe(0);
    truncateSync(join(reg, "packages", "acme--big", "metadata.yaml"), 600 * 1024 * 1024);
    expectCleanError(quick(["info", "@acme/big", "--registry", reg]), "Error", 1);
    rmSync(reg, { recursive: true, force: true });
  });
});
