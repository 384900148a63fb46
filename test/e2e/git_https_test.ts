/**
 * Many machines, one git registry served as hosts serve it (SPEC §4): `git+https://127.0.0.1:<port>/…`
 * with `git http-backend` behind an HTTPS server (test/helpers/git_https.ts), its certificate trusted
 * by each machine's git configuration (http.sslCAInfo), never by turning checks off. The server runs
 * in this process, so every CLI run that reaches it is asynchronous.
 */
import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { aamAsync, RUNTIMES, tempDir, removeDir, makePackage, errorName, run as sh, type RuntimeName } from "../helpers.ts";
import { cachedClones, expectClean, makeBareRegistry, publishAtOnce, subjects } from "../helpers/git_registry.ts";
import { startGitHttps, type GitHttps } from "../helpers/git_https.ts";

/**
 * Writers x versions per runtime. Node, the shipped bin, runs the full 4 x 5 of the file:// test; Bun
 * and Deno (whose 4 x 5 race the file:// test already runs) check their git child reaches an https
 * remote with the machine's trust and races there, at a fifth of the cost (measured per runtime on
 * a loaded 2-core box: 4 x 5 over https 20 to 30 s, about twice file://; CI's budget is tight).
 */
const SIZE: Record<RuntimeName, [number, number]> = { node: [4, 5], bun: [2, 2], deno: [2, 2] };

/** A bare registry served over HTTPS, pushes allowed (http.receivepack, as a host grants a writer). */
async function servedRegistry(rt: RuntimeName, dir: string): Promise<{ bare: string; url: string; server: GitHttps }> {
  const root = join(dir, "srv");
  mkdirSync(root);
  mkdirSync(join(dir, "tls"));
  const { bare } = makeBareRegistry(rt, dir, root);
  expect(sh("git", ["config", "http.receivepack", "true"], { cwd: bare }).code).toBe(0);
  const server = await startGitHttps(root, join(dir, "tls"));
  return { bare, url: `git+${server.base}/bare.git`, server };
}

/** A machine whose git trusts the test CA, as a user's ~/.gitconfig would (AAM adds no trust of its own). */
function trustingHome(home: string, caFile: string): string {
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, ".gitconfig"), `[http]\n\tsslCAInfo = ${caFile}\n`);
  return home;
}

/** Per test: a fresh folder, and the registry server the test starts, closed after it. */
function eachTest(): { dir: () => string; serve: (rt: RuntimeName) => ReturnType<typeof servedRegistry> } {
  let dir = "";
  let server: GitHttps | undefined;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    removeDir(dir);
  });
  return {
    dir: () => dir,
    async serve(rt) {
      const served = await servedRegistry(rt, dir);
      server = served.server;
      return served;
    },
  };
}

/** Pushes that reached git http-backend and were accepted. */
const pushes = (server: GitHttps) => server.log.filter((r) => r.method === "POST" && r.path.endsWith("/git-receive-pack") && r.status === 200).length;

describe.each(RUNTIMES)("git registry over https (git http-backend on 127.0.0.1) under %s", (rt: RuntimeName) => {
  const t = eachTest();

  const [writers, versions] = SIZE[rt];
  test(`${writers} machines publish ${versions} versions each at once over https: every version lands, one commit each, verify clean`, async () => {
    const dir = t.dir();
    const served = await t.serve(rt);
    await publishAtOnce(rt, dir, served.bare, served.url, writers, versions, (home) => trustingHome(home, served.server.caFile));
    expect(pushes(served.server)).toBeGreaterThanOrEqual(writers * versions); // every commit went over https
  }, 600_000);
});

// What a refusal does is git's and AAM's behaviour, not the runtime's: run under Node, the shipped bin.
describe("git registry over https: refusals", () => {
  const rt: RuntimeName = "node";
  const t = eachTest();

  test("a push the server refuses (403, 401) or a certificate git does not trust is a clear error and leaves nothing behind", async () => {
    const dir = t.dir();
    const { bare, url, server: s } = await t.serve(rt);
    const home = trustingHome(join(dir, "a"), s.caFile);
    const a = (args: string[]) => aamAsync(rt, args, { cwd: dir, home });
    makePackage(join(dir, "p1"), "@acme/tool", "1.0.0");
    makePackage(join(dir, "p2"), "@acme/tool", "1.1.0");
    const first = await a(["pkg", "publish", join(dir, "p1"), "--registry", url]);
    expect(`${first.code} ${first.stderr}`).toBe("0 ");
    const [clone] = cachedClones(home);
    const expectRefused = (r: { code: number; stderr: string }, said: string) => {
      expect(r.code).toBe(1);
      expect(errorName(r.stderr)).toBe("Error");
      expect(r.stderr).toContain(`Cannot push to git registry "${url}"`);
      expect(r.stderr).toContain(said);
      expect(r.stderr).toContain("hint:");
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expectClean(clone, bare);
    };

    // The repository's owner turned pushes off: http-backend itself answers 403.
    expect(sh("git", ["config", "http.receivepack", "false"], { cwd: bare }).code).toBe(0);
    expectRefused(await a(["pkg", "publish", join(dir, "p2"), "--registry", url]), "403");
    expect(sh("git", ["config", "http.receivepack", "true"], { cwd: bare }).code).toBe(0);

    // The host wants credentials this machine does not have: an error at once, never a prompt.
    s.refusePush = 401;
    expectRefused(await a(["yank", "@acme/tool@1.0.0", "--registry", url]), "terminal prompts disabled");
    s.refusePush = undefined;
    const info = await a(["info", "@acme/tool", "--registry", url, "--json"]);
    expect(JSON.parse(info.stdout).versions.map((v: { version: string; yanked?: boolean }) => [v.version, v.yanked ?? false])).toEqual([["1.0.0", false]]);

    // A machine whose git does not trust the server's certificate reads nothing and keeps no clone.
    const stranger = join(dir, "b");
    const untrusted = await aamAsync(rt, ["search", "tool", "--registry", url], { cwd: dir, home: stranger });
    expect(untrusted.code).toBe(1);
    expect(errorName(untrusted.stderr)).toBe("Error");
    expect(untrusted.stderr).toMatch(/certificate/i); // gnutls and openssl builds of git word it differently
    expect(untrusted.stderr).toContain("hint: git does not trust the server's certificate");
    expect(cachedClones(stranger)).toEqual([]);

    // Fixed: the same commands now work, with no trace of the refused attempts.
    const again = await a(["pkg", "publish", join(dir, "p2"), "--registry", url]);
    expect(`${again.code} ${again.stderr}`).toBe("0 ");
    expect(subjects(bare)).toEqual(["aam: publish @acme/tool@1.1.0", "aam: publish @acme/tool@1.0.0", "registry"]);
    expectClean(clone, bare);
    expect(s.log.filter((r) => r.status === 403 || r.status === 401).length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
