/**
 * `npm run build:release` (scripts/build_release.ts) with a fixture release key: five executables,
 * SHA256SUMS that `sha256sum -c` accepts, and SHA256SUMS.sig that `aam verify-blob --signature --key`
 * and OpenSSL alone both accept and both refuse once SHA256SUMS changes. The linux-x64 binary runs
 * AAM end to end; the linux-arm64 one runs under qemu-user (Debian qemu-user-static and
 * libc6-arm64-cross, which .ci/run installs) and packs byte-identically to the Node CLI; the macOS
 * and Windows ones are checked for their Mach-O and PE headers and CPU types.
 *
 * CI builds only linux-x64 (issue 18); AAM_TEST_RELEASE_ALL=1 builds all five and runs the qemu and
 * header checks too (what a release does: `AAM_TEST_RELEASE_ALL=1 npx bun test test/e2e/release_test.ts`).
 */
import { test, expect, beforeAll, afterAll } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { aam, ROOT, run, tempDir, removeDir, makePackage } from "../helpers.ts";

const BUN = join(ROOT, "node_modules", ".bin", "bun");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const QEMU = "/usr/bin/qemu-aarch64-static";
const ARM64_SYSROOT = "/usr/aarch64-linux-gnu";
const ALL = process.env.AAM_TEST_RELEASE_ALL === "1";

let dir: string;
let out: string;
let pubPem: string;
beforeAll(() => {
  dir = tempDir("aam-release-");
  out = join(dir, "release");
  const env = { AAM_PASSPHRASE: "release-fixture" };
  expect(aam("node", ["key", "generate", "--name", "rel"], { cwd: dir, home: dir, env }).code).toBe(0);
  const keyDir = join(dir, ".aam", "keys");
  const keyFile = join(keyDir, readdirSync(keyDir).find((f) => f.endsWith(".key"))!);
  pubPem = join(dir, "rel.pem");
  const exp = aam("node", ["key", "export", "rel"], { cwd: dir, home: dir });
  writeFileSync(pubPem, exp.stdout);

  // A wrong passphrase stops the release before anything is built.
  const wrong = run(BUN, [join(ROOT, "scripts", "build_release.ts"), "--out", out], { cwd: ROOT, env: { AAM_RELEASE_KEY: keyFile, AAM_RELEASE_PASSPHRASE: "nope" } });
  expect(wrong.code).not.toBe(0);
  expect(existsSync(out)).toBe(false);

  const r = run("npm", ["run", "--silent", "build:release", "--", "--out", out, ...(ALL ? [] : ["--targets", "linux-x64"])], { cwd: ROOT, env: { AAM_RELEASE_KEY: keyFile, AAM_RELEASE_PASSPHRASE: "release-fixture" } });
  if (r.code !== 0) throw new Error(`build:release failed:\n${r.stderr}`);
}, 300_000);
afterAll(() => removeDir(dir));

const NAMES = ALL ? ["aam-darwin-arm64", "aam-darwin-x64", "aam-linux-arm64", "aam-linux-x64", "aam-windows-x64.exe"] : ["aam-linux-x64"];

test("SHA256SUMS lists the executables built with their SHA-256, and sha256sum -c accepts it", () => {
  const lines = readFileSync(join(out, "SHA256SUMS"), "utf8").trimEnd().split("\n");
  expect(lines.map((l) => l.slice(66))).toEqual(NAMES);
  for (const l of lines) expect(l.slice(0, 64)).toBe(createHash("sha256").update(readFileSync(join(out, l.slice(66)))).digest("hex"));
  expect(run("sha256sum", ["-c", "SHA256SUMS"], { cwd: out }).code).toBe(0);
});

test("SHA256SUMS.sig checks with aam verify-blob and with OpenSSL alone; both refuse a changed SHA256SUMS", () => {
  const opensslCheck = (sums: string) => {
    const hex = createHash("sha256").update(readFileSync(sums)).digest("hex");
    writeFileSync(join(dir, "msg"), `aam-signature-v1:sha256:${hex}`);
    return run("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", pubPem, "-rawin", "-in", join(dir, "msg"), "-sigfile", join(out, "SHA256SUMS.sig")]);
  };
  const ok = aam("node", ["verify-blob", join(out, "SHA256SUMS"), "--signature", join(out, "SHA256SUMS.sig"), "--key", pubPem, "--json"], { cwd: dir, home: dir, offline: true });
  expect(ok.code).toBe(0);
  expect(JSON.parse(ok.stdout).key_fingerprint).toMatch(/^[0-9a-f]{64}$/);
  const o = opensslCheck(join(out, "SHA256SUMS"));
  expect(o.stdout).toContain("Signature Verified Successfully");
  expect(o.code).toBe(0);

  const changed = join(dir, "SHA256SUMS");
  copyFileSync(join(out, "SHA256SUMS"), changed);
  writeFileSync(changed, readFileSync(changed, "utf8").replace(/^./, (c) => (c === "0" ? "1" : "0")));
  const bad = aam("node", ["verify-blob", changed, "--signature", join(out, "SHA256SUMS.sig"), "--key", pubPem], { cwd: dir, home: dir });
  expect(bad.code).toBe(11);
  expect(bad.stderr).toContain("error[InvalidSignature]");
  expect(opensslCheck(changed).code).not.toBe(0);

  writeFileSync(join(dir, "short.sig"), readFileSync(join(out, "SHA256SUMS.sig")).subarray(0, 63));
  const short = aam("node", ["verify-blob", join(out, "SHA256SUMS"), "--signature", join(dir, "short.sig"), "--key", pubPem], { cwd: dir, home: dir });
  expect(short.code).toBe(14);
  expect(short.stderr).toContain("error[MalformedSignature]");
  const noKey = aam("node", ["verify-blob", join(out, "SHA256SUMS"), "--signature", join(out, "SHA256SUMS.sig")], { cwd: dir, home: dir });
  expect(noKey.code).toBe(2);
  expect(noKey.stderr).toContain("error[UsageError]");
});

test("the README publishes the fingerprint of release-key.pem, the key users check releases with", () => {
  const pem = readFileSync(join(ROOT, "release-key.pem"), "utf8");
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
  const fp = createHash("sha256").update(der.subarray(der.length - 32)).digest("hex");
  expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain(fp);
});

test("the linux-x64 executable runs AAM end to end: registry, key, signed publish, verify", () => {
  const bin = join(out, "aam-linux-x64");
  const home = join(dir, "x64");
  mkdirSync(home);
  const env = { HOME: home, AAM_HOME: join(home, ".aam"), AAM_PASSPHRASE: "x", NO_COLOR: "1", PATH: "/usr/bin:/bin" };
  const sh = (args: string[]) => run(bin, args, { cwd: home, env });
  expect(sh(["--version"]).stdout.trim()).toBe(pkg.version);
  makePackage(join(home, "p"), "@rel/x64", "1.0.0");
  expect(sh(["registry", "init", "reg", "--default"]).code).toBe(0);
  expect(sh(["key", "generate"]).code).toBe(0);
  expect(sh(["pkg", "publish", "p", "--sign"]).code).toBe(0);
  const v = sh(["verify", "@rel/x64", "--require-signature", "--json"]);
  expect(v.code).toBe(0);
  expect(JSON.parse(v.stdout).results[0].outcome).toBe("verified");
});

test.skipIf(!ALL || !existsSync(QEMU) || !existsSync(join(ARM64_SYSROOT, "lib", "ld-linux-aarch64.so.1")))(
  "the linux-arm64 executable runs under qemu-user and packs byte-identically to the Node CLI",
  () => {
    const home = join(dir, "arm64");
    makePackage(join(home, "p"), "@rel/arm64", "1.0.0");
    const env = { HOME: home, AAM_HOME: join(home, ".aam"), NO_COLOR: "1" };
    const arm = (args: string[]) => run(QEMU, ["-L", ARM64_SYSROOT, join(out, "aam-linux-arm64"), ...args], { cwd: home, env });
    expect(arm(["--version"]).stdout.trim()).toBe(pkg.version);
    const packed = arm(["pkg", "pack", "p", "--output", "arm.aam", "--json"]);
    if (packed.code !== 0) throw new Error(packed.stderr);
    const node = aam("node", ["pkg", "pack", "p", "--output", "node.aam", "--json"], { cwd: home, home });
    expect(JSON.parse(packed.stdout).checksum).toBe(JSON.parse(node.stdout).checksum);
  },
  120_000,
);

test.skipIf(!ALL)("the macOS and Windows executables are Mach-O and PE files for their CPUs; the Linux ones ELF", () => {
  const head = (name: string) => readFileSync(join(out, name)).subarray(0, 4096);
  // Mach-O 64-bit (MH_MAGIC_64, little-endian) then cputype: x86_64 0x01000007, arm64 0x0100000c.
  for (const [name, cpu] of [["aam-darwin-x64", 0x01000007], ["aam-darwin-arm64", 0x0100000c]] as const) {
    const b = head(name);
    expect(b.readUInt32LE(0)).toBe(0xfeedfacf);
    expect(b.readUInt32LE(4)).toBe(cpu);
  }
  // PE: "MZ", e_lfanew at 0x3c points at "PE\0\0", machine AMD64 (0x8664).
  const pe = head("aam-windows-x64.exe");
  expect(pe.toString("latin1", 0, 2)).toBe("MZ");
  const off = pe.readUInt32LE(0x3c);
  expect(pe.toString("latin1", off, off + 4)).toBe("PE\0\0");
  expect(pe.readUInt16LE(off + 4)).toBe(0x8664);
  // ELF e_machine: x86-64 62, AArch64 183.
  for (const [name, machine] of [["aam-linux-x64", 62], ["aam-linux-arm64", 183]] as const) {
    const b = head(name);
    expect(b.toString("latin1", 0, 4)).toBe("\x7fELF");
    expect(b.readUInt16LE(18)).toBe(machine);
  }
});
