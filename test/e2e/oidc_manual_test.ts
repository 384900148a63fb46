/**
 * `--oidc-manual` end to end (SPEC §10): keyless signing where the sign-in URL is printed and the code,
 * or the whole redirect URL, is typed back — on a real terminal (a pty from script(1)) and on a plain
 * stdin — against a stand-in OIDC issuer and Fulcio/Rekor/TSA stand-ins on 127.0.0.1.
 */
import { describe, test, expect, beforeAll, afterAll, beforeEach, afterEach } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { aamAsync, command, makePackage, removeDir, run as runCmd, tempDir, RUNTIMES, type RunResult, type RuntimeName } from "../helpers.ts";
import { startSigstoreStandIns, type SigstoreStandIns } from "../sigstore_mock.ts";
import { startOidcIssuer, type OidcIssuer } from "../oidc_issuer.ts";

const hasScript = runCmd("sh", ["-c", "command -v script"]).code === 0;
const PROMPT = "Enter the code";

/**
 * Runs the CLI and plays the user: once the sign-in URL and the prompt are shown, signs in at the
 * stand-in issuer (which sends the answer to the out-of-band redirect) and types `answer(redirect)`.
 */
function signInteractively(rt: RuntimeName, args: string[], dir: string, answer: (redirect: URL) => string, viaTerminal: boolean): Promise<RunResult & { typed: string }> {
  const cli = command(rt);
  const env = { PATH: process.env.PATH ?? "", HOME: dir, AAM_HOME: join(dir, ".aam"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
  const [cmd, cmdArgs] = viaTerminal ? ["script", ["-qec", [...cli, ...args].map((a) => `'${a}'`).join(" "), "/dev/null"]] : [cli[0], [...cli.slice(1), ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, cmdArgs as string[], { cwd: dir, env });
    let stdout = "";
    let stderr = "";
    let typed = "";
    const watch = async () => {
      const seen = stdout + stderr;
      const url = /https?:\/\/127\.0\.0\.1:\d+\/auth\?\S+/.exec(seen)?.[0];
      if (typed !== "" || !url || !seen.includes(PROMPT)) return;
      typed = "…"; // once
      try {
        const res = await fetch(url, { redirect: "manual" });
        typed = answer(new URL(res.headers.get("location")!));
        child.stdin.write(`${typed}\n`);
      } catch (e) {
        reject(e);
      }
    };
    child.stdout.on("data", (d) => ((stdout += d), void watch()));
    child.stderr.on("data", (d) => ((stderr += d), void watch()));
    // A CLI that never finishes fails the test instead of hanging it.
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => (clearTimeout(timer), resolve({ code: code ?? 128, stdout, stderr, typed })));
  });
}

describe.each(RUNTIMES)("--oidc-manual under %s", (rt: RuntimeName) => {
  let s: SigstoreStandIns;
  let issuer: OidcIssuer;
  let dir: string;
  beforeAll(async () => {
    s = await startSigstoreStandIns();
    issuer = await startOidcIssuer({ email: "release@example.com" });
  });
  afterAll(async () => {
    await s.close();
    await issuer.close();
  });
  beforeEach(async () => {
    dir = tempDir();
    mkdirSync(join(dir, ".aam"), { recursive: true });
    writeFileSync(join(dir, "mock_root.json"), s.trustedRoot);
    expect((await run(["trust-root", "import", "mock_root.json"])).code).toBe(0);
    for (const k of ["fulcio_url", "rekor_url", "tsa_url"]) expect((await run(["config", "set", `security.sigstore.${k}`, s.url])).code).toBe(0);
    // The documentation's name for the issuer setting.
    expect((await run(["config", "set", "security.oidc_issuer", issuer.url])).code).toBe(0);
    expect((await run(["registry", "init", "reg", "--default"])).code).toBe(0);
    makePackage(join(dir, "p"), "@acme/manual", "1.0.0");
  });
  afterEach(() => removeDir(dir));
  // The stand-ins run in this process: the CLI must run asynchronously or it would wait on itself.
  const run = (args: string[]) => aamAsync(rt, args, { cwd: dir, home: dir });
  const published = () => existsSync(join(dir, "reg", "packages", "acme--manual", "1.0.0.aam"));
  const signerEmail = (sigFile: string) => {
    const entry = JSON.parse(readFileSync(sigFile, "utf8")).signatures[0];
    expect(entry.algorithm).toBe("sigstore");
    const der = Buffer.from(entry.bundle.verificationMaterial.certificate?.rawBytes ?? entry.bundle.verificationMaterial.x509CertificateChain.certificates[0].rawBytes, "base64");
    return new X509Certificate(der).subjectAltName;
  };

  test.skipIf(!hasScript)("on a terminal: `aam publish --sign --oidc-manual` prints the URL, takes the typed code, and signs as the signed-in user", async () => {
    const r = await signInteractively(rt, ["publish", "p", "--sign", "--oidc-manual"], dir, (redirect) => redirect.searchParams.get("code")!, true);
    expect(r.stdout).toContain("Open this URL in a browser");
    expect(r.stdout).toContain("redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob");
    expect(r.stdout).toContain("code_challenge_method=S256");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Published @acme/manual@1.0.0");
    expect(signerEmail(join(dir, "reg", "packages", "acme--manual", "1.0.0.sig"))).toContain("release@example.com");
    // The signature verifies, and names the issuer the user signed in at.
    expect((await run(["config", "add", "security.trusted_identities", "release@example.com"])).code).toBe(0);
    const v = await run(["verify", "@acme/manual", "--require-signature", "--json"]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).results[0]).toMatchObject({ outcome: "verified", signers: [{ algorithm: "sigstore", identity: "release@example.com", issuer: issuer.url, trusted: true }] });
  });

  test.skipIf(!hasScript)("on a terminal: a pasted redirect URL whose state is not this sign-in's is refused, nothing published", async () => {
    const r = await signInteractively(rt, ["publish", "p", "--sign", "--oidc-manual"], dir, (redirect) => (redirect.searchParams.set("state", "not-this-one"), redirect.toString()), true);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[Error]");
    expect(r.stdout).toContain("does not match this request (state)");
    expect(published()).toBe(false);
  });

  test("on a plain stdin (a container without a terminal): `pkg sign --oidc-manual` takes the whole redirect URL pasted back", async () => {
    expect((await run(["pkg", "pack", "p", "--output", "x.aam"])).code).toBe(0);
    const r = await signInteractively(rt, ["pkg", "sign", "x.aam", "--oidc-manual"], dir, (redirect) => redirect.toString(), false);
    expect(r.typed).toStartWith("urn:ietf:wg:oauth:2.0:oob?");
    expect(r.typed).toContain("state=");
    expect(r.stderr).toContain("Open this URL in a browser");
    expect(r.code).toBe(0);
    expect(signerEmail(join(dir, "x.aam.sig"))).toContain("release@example.com");
  });

  test("without an answer, or with a method other than sigstore or with --identity-token, it is a UsageError (2)", async () => {
    const ended = await run(["publish", "p", "--sign", "--oidc-manual"]); // stdin ends at once
    expect(ended.code).toBe(2);
    expect(ended.stderr).toContain("the input ended before a code was entered");
    expect(published()).toBe(false);
    const long = await aamAsync(rt, ["publish", "p", "--sign", "--oidc-manual"], { cwd: dir, home: dir, input: `${"a".repeat(9000)}\n` });
    expect(long.code).toBe(2);
    expect(long.stderr).toContain("longer than 8 KiB");
    // A long line with no line break is refused too.
    const endless = await aamAsync(rt, ["publish", "p", "--sign", "--oidc-manual"], { cwd: dir, home: dir, input: "a".repeat(200_000) });
    expect(endless.code).toBe(2);
    expect(endless.stderr).toContain("longer than 8 KiB");
    const ed = await run(["publish", "p", "--sign", "--oidc-manual", "--signing-method", "ed25519"]);
    expect(ed.code).toBe(2);
    expect(ed.stderr).toContain("--oidc-manual");
    const both = await run(["pkg", "pack", "p", "--output", "x.aam"]).then(() => run(["pkg", "sign", "x.aam", "--oidc-manual", "--identity-token", "a.b.c"]));
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--identity-token");
  });
});
