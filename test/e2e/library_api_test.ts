/**
 * The library API (src/index.ts; `import ... from "aam"`) under Node (dist/index.js, the package's
 * export), Bun and Deno (src/index.ts and src/mod.ts): a script packs a folder, signs it, publishes it
 * into a new registry, reads it back and verifies it, and sees a tampered copy refused.
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, RUNTIMES, tempDir, removeDir, makePackage, run, type RuntimeName } from "../helpers.ts";

const BIN = join(ROOT, "node_modules", ".bin");

/** The same script for every runtime; only where the library is imported from differs. */
function script(entry: string, pkgDir: string, registry: string): string {
  return `
import {
  AamError, packDirectory, initRegistry, publishVersion, RegistryReader, fileSource,
  verifyPackage, generateEd25519, createEd25519Entry, serializeSigFile,
} from ${JSON.stringify(entry)};

const now = new Date("2026-01-01T00:00:00Z");
const name = "@lib/hello";
await initRegistry(${JSON.stringify(registry)}, { name: "lib", now });
const packed = await packDirectory(${JSON.stringify(pkgDir)});

const { seed, publicKey } = await generateEd25519();
const entry = await createEd25519Entry({ seed, publicKey, packageHash: packed.checksum, now });
const sigText = serializeSigFile({ version: 1, package: name, package_version: "1.0.0", package_hash: packed.checksum, signatures: [entry] });
await publishVersion(${JSON.stringify(registry)}, {
  archive: packed.bytes, name, version: "1.0.0", description: "A test package", artifactTypes: ["prompts"], dependencies: {},
  sigText, signatures: [{ algorithm: "ed25519", key_fingerprint: entry.key_fingerprint, signed_at: entry.signed_at }],
}, { now, actor: "library-test" });

const reader = new RegistryReader(fileSource(${JSON.stringify(registry)}));
const pv = await reader.resolve(name);
const policy = {
  trustedKeys: [entry.key_fingerprint], revokedKeys: [], trustedIdentities: [], allowedIssuers: [],
  signingDelegates: {}, requireSignature: true, onSignatureFailure: "error",
};
const input = { name, version: pv.version, archive: await reader.archive(pv), expectedChecksum: pv.record.checksum, sigText: await reader.sig(pv), files: { archive: pv.archiveFile, sig: pv.sigFile } };
const report = await verifyPackage(input, policy);

const bad = input.archive.slice();
bad[bad.length - 8] ^= 0xff;
let tampered = "accepted";
try {
  await verifyPackage({ ...input, archive: bad }, policy);
} catch (e) {
  tampered = e instanceof AamError ? e.code + ":" + e.exitCode : "other: " + String(e);
}
let untrusted = "accepted";
try {
  await verifyPackage(input, { ...policy, trustedKeys: [] });
} catch (e) {
  untrusted = e instanceof AamError ? e.code : "other: " + String(e);
}
console.log(JSON.stringify({ checksum: packed.checksum, outcome: report.outcome, signer: report.signers[0]?.key_fingerprint === entry.key_fingerprint, tampered, untrusted }));
`;
}

function runScript(rt: RuntimeName, dir: string): { code: number; stdout: string; stderr: string } {
  const pkg = makePackage(join(dir, "pkg"), "@lib/hello", "1.0.0");
  const registry = join(dir, "registry");
  switch (rt) {
    case "node": {
      const file = join(dir, "use-aam.mjs");
      writeFileSync(file, script(`file://${join(ROOT, "dist", "index.js")}`, pkg, registry));
      return run("node", [file], { cwd: dir });
    }
    case "bun": {
      const file = join(dir, "use-aam.ts");
      writeFileSync(file, script(join(ROOT, "src", "index.ts"), pkg, registry));
      return run(join(BIN, "bun"), [file], { cwd: dir });
    }
    case "deno": {
      const file = join(dir, "use-aam.ts");
      writeFileSync(file, script(`file://${join(ROOT, "src", "mod.ts")}`, pkg, registry));
      return run(join(BIN, "deno"), ["run", "--quiet", "--no-prompt", "--config", join(ROOT, "deno.json"), "--allow-read", "--allow-write", "--allow-env", "--allow-sys", file], { cwd: dir, env: { DENO_NO_UPDATE_CHECK: "1" } });
    }
  }
}

const dirs: string[] = [];
const checksums = new Map<RuntimeName, string>();
afterAll(() => dirs.forEach(removeDir));

describe.each(RUNTIMES)("library API under %s", (rt: RuntimeName) => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("aam-lib-");
    dirs.push(dir);
  });

  test("packs, signs, publishes and verifies; refuses a tampered archive and an untrusted signer", () => {
    const r = runScript(rt, dir);
    if (r.code !== 0) throw new Error(`${rt} exited ${r.code}:\n${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    expect(out).toMatchObject({ outcome: "verified", signer: true, tampered: "TamperedPackage:10", untrusted: "UntrustedSigner" });
    expect(out.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    checksums.set(rt, out.checksum);
  });
});

describe("library API across runtimes", () => {
  test("packDirectory() gives the same checksum under every runtime", () => {
    expect(new Set(checksums.values()).size).toBe(checksums.size === 0 ? 0 : 1);
    expect(checksums.size).toBe(RUNTIMES.length);
  });
});
