// Builds the benchmark workloads under bench-work/ (gitignored), deterministically: every byte comes
// from a seeded PRNG and fixed dates, so two runs (or two machines) build the same packages, the same
// Ed25519 key and the same signatures. Run by run.mjs under Bun (a devDependency) because it uses
// AAM's own modules from src/ to sign and publish; GnuPG material (peer only) is the one exception:
// gpg keys are random, which changes no timing.
//
// Writes bench-work/manifest.json describing what was built; skips the work when it is up to date.
import { mkdirSync, writeFileSync, rmSync, existsSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { spawnSync } from "node:child_process";
import { packDirectory } from "../../src/archive/index.ts";
import { initRegistry } from "../../src/registry/init.ts";
import { publishVersion } from "../../src/registry/writer.ts";
import { serializeIndex, type IndexEntry } from "../../src/registry/index_file.ts";
import { serializeSigFile } from "../../src/signing/sig_file.ts";
import { createEd25519Entry } from "../../src/signing/ed25519/entry.ts";
import { publicKeyOf } from "../../src/signing/ed25519/sign.ts";
import { fingerprint } from "../../src/signing/ed25519/public_key.ts";
import { toFsName } from "../../src/manifest/name.ts";
import { serializeMetadata, type Metadata } from "../../src/registry/metadata.ts";
import { eventLines } from "../../src/registry/audit_log.ts";
import { indexEntryFor } from "../../src/registry/index_file.ts";

const GENERATOR_VERSION = 6; // bump when a workload changes
const ROOT = join(import.meta.dir, "..", "..");
const WORK = join(ROOT, "bench-work");
const NOW = new Date("2024-01-01T00:00:00Z");

// ---------------------------------------------------------------- deterministic bytes

/** splitmix32: small, fast and seeded; good enough to make incompressible bytes. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function randomBytes(n: number, seed: number): Uint8Array {
  const next = prng(seed);
  const out = new Uint8Array(n);
  const v = new DataView(out.buffer);
  let i = 0;
  for (; i + 4 <= n; i += 4) v.setUint32(i, next(), true);
  for (; i < n; i++) out[i] = next() & 0xff;
  return out;
}

const WORDS = "agent prompt skill review code test deploy model context token signature registry package verify trust key offline cache install archive build lint format summary plan tool memory search index policy".split(" ");

function text(n: number, seed: number): string {
  const next = prng(seed);
  const parts: string[] = [];
  let len = 0;
  while (len < n) {
    const line: string[] = [];
    const words = 6 + (next() % 10);
    for (let w = 0; w < words; w++) line.push(WORDS[next() % WORDS.length]);
    const s = (next() % 7 === 0 ? "## " : "") + line.join(" ") + ".\n";
    parts.push(s);
    len += s.length;
  }
  return parts.join("").slice(0, n);
}

function write(p: string, data: string | Uint8Array): void {
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, data);
}

function manifest(name: string, version: string, description = "A benchmark package"): string {
  // The shape `aam pkg init` writes (block style, with comments).
  return `# AAM package manifest\nname: "${name}"\nversion: "${version}"\ndescription: "${description}"   # at most 256 characters\nkeywords:\n  - bench\nartifacts:\n  skills: []\n  prompts:\n    - name: "main"\n      path: "prompts/main.md"\n      description: "Main prompt"\n`;
}

// ---------------------------------------------------------------- workloads

/** 2,000 files, ~20 MiB: 1,500 text files (markdown-like) and 499 binary ones, in 40 folders. */
function makeManyFiles(dir: string): void {
  write(join(dir, "aam.yaml"), manifest("@bench/many-files", "1.0.0"));
  write(join(dir, "prompts", "main.md"), text(2000, 1));
  const next = prng(7);
  for (let i = 0; i < 1998; i++) {
    const folder = `data/d${String(i % 40).padStart(2, "0")}`;
    if (i < 1500) write(join(dir, folder, `note-${i}.md`), text(4000 + (next() % 12000), 100 + i));
    else write(join(dir, folder, `blob-${i}.bin`), randomBytes(8000 + (next() % 32000), 100 + i));
  }
}

// ---- pack-text workload (issue 15 item 5)
/**
 * 2,000 files, ~19 MB, the way prompts and skills often look: each file one markdown line repeated
 * (a different line per file), except every third file, which is random bytes; in 40 folders.
 */
function makeTextFiles(dir: string): void {
  write(join(dir, "aam.yaml"), manifest("@bench/text-files", "1.0.0"));
  write(join(dir, "prompts", "main.md"), text(2000, 2));
  const next = prng(17);
  for (let i = 0; i < 1998; i++) {
    const folder = `docs/d${String(i % 40).padStart(2, "0")}`;
    const size = 6000 + (next() % 7000);
    if (i % 3 === 2) write(join(dir, folder, `part-${i}.bin`), randomBytes(size, 5000 + i));
    else {
      const line = text(60 + (next() % 60), 5000 + i).replace(/\n/g, " ").trim() + "\n";
      write(join(dir, folder, `part-${i}.md`), line.repeat(Math.ceil(size / line.length)).slice(0, size));
    }
  }
}
// ---- end pack-text workload

/** One incompressible file: `mib` MiB (49 MiB is the most the 50 MiB archive limit leaves room for). */
function makeOneFile(dir: string, name: string, bytes: number): void {
  write(join(dir, "aam.yaml"), manifest(name, "1.0.0"));
  write(join(dir, "prompts", "main.md"), "# Main\n");
  write(join(dir, "payload.bin"), randomBytes(bytes, bytes));
}

async function sign(archive: Uint8Array, checksum: string, name: string, version: string, seed: Uint8Array, pub: Uint8Array) {
  const entry = await createEd25519Entry({ seed, publicKey: pub, packageHash: checksum, now: NOW });
  const sigText = serializeSigFile({ version: 1, package: name, package_version: version, package_hash: checksum, signatures: [entry] });
  return { entry, sigText, raw: Uint8Array.from(atob(entry.signature), (c) => c.charCodeAt(0)) };
}

function spkiPem(pub: Uint8Array): string {
  const der = new Uint8Array([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00, ...pub]);
  return `-----BEGIN PUBLIC KEY-----\n${btoa(String.fromCharCode(...der))}\n-----END PUBLIC KEY-----\n`;
}

async function packSigned(dir: string, out: string, name: string, seed: Uint8Array, pub: Uint8Array) {
  const packed = await packDirectory(dir);
  write(out, packed.bytes);
  const s = await sign(packed.bytes, packed.checksum, name, "1.0.0", seed, pub);
  write(`${out}.sig`, s.sigText);
  write(`${out}.sig.bin`, s.raw);
  return { size: packed.size, checksum: packed.checksum };
}

function gpgSetup(home: string, file: string): boolean {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: home };
  const gen = spawnSync("gpg", ["--batch", "--quiet", "--passphrase", "", "--quick-gen-key", "bench@example.invalid", "ed25519", "sign", "never"], { env });
  if (gen.status !== 0) return false;
  const sig = spawnSync("gpg", ["--batch", "--quiet", "--yes", "--detach-sign", "-o", `${file}.gpg`, file], { env });
  return sig.status === 0;
}

/**
 * A registry of `n` packages as `n` publishes would leave it (metadata.yaml each, index.yaml, an
 * audit.log of `n` chained events), written directly: publishing 50,000 versions one by one would
 * take the generator hours. Archives are left out: a publish reads none of them.
 */
async function scaledRegistry(dir: string, n: number): Promise<void> {
  await initRegistry(dir, { name: `bench-${n}`, now: NOW });
  const next = prng(n);
  const metas: Metadata[] = [];
  for (let i = 0; i < n; i++) {
    const name = `@scope-${i % 50}/package-${String(i).padStart(6, "0")}`;
    const version = `1.${next() % 20}.0`;
    const m: Metadata = {
      name,
      description: `Benchmark package ${i}: ${WORDS[next() % WORDS.length]} and ${WORDS[next() % WORDS.length]}`,
      keywords: [WORDS[next() % WORDS.length]],
      artifact_types: ["prompts"],
      dist_tags: { latest: version },
      versions: [{ version, published: NOW.toISOString(), checksum: `sha256:${(i.toString(16) + "0".repeat(64)).slice(0, 64)}`, size: 1000, dependencies: {}, yanked: false }],
    };
    write(join(dir, "packages", toFsName(name), "metadata.yaml"), serializeMetadata(m));
    metas.push(m);
  }
  write(join(dir, "index.yaml"), serializeIndex({ packages: metas.map(indexEntryFor) }));
  const events = metas.map((m) => ({ event: "package.publish", package: m.name, version: m.dist_tags.latest, actor: "bench", details: { checksum: m.versions[0].checksum } }));
  write(join(dir, "audit.log"), eventLines({ lastLine: null, seq: 0 }, events, NOW));
}

async function main(): Promise<void> {
  const stampFile = join(WORK, "manifest.json");
  if (existsSync(stampFile)) {
    const old = JSON.parse(readFileSync(stampFile, "utf8"));
    if (old.generator === GENERATOR_VERSION) {
      console.log("bench-work/ is up to date");
      return;
    }
  }
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const t0 = performance.now();

  // The signing key: a fixed seed, so signatures are reproducible.
  const seed = new Uint8Array(32).fill(7);
  const pub = await publicKeyOf(seed);
  const fp = fingerprint(pub);
  write(join(WORK, "keys", "pub.pem"), spkiPem(pub));

  // Home: trusts the key; signature failures are errors (what a CI job would set).
  const home = join(WORK, "home");
  write(join(home, "config.yaml"), `security:\n  trusted_keys: ["${fp}"]\n  on_signature_failure: error\n`);

  // Packages.
  makeManyFiles(join(WORK, "src", "many-files"));
  makeTextFiles(join(WORK, "src", "text-files")); // pack-text
  makeOneFile(join(WORK, "src", "big"), "@bench/big", 49 * 1024 * 1024);
  makeOneFile(join(WORK, "src", "one-mib"), "@bench/one-mib", 1024 * 1024);
  write(join(WORK, "src", "small", "aam.yaml"), manifest("@bench/small", "1.0.0"));
  write(join(WORK, "src", "small", "prompts", "main.md"), text(3000, 5));
  const big = await packSigned(join(WORK, "src", "big"), join(WORK, "archives", "big.aam"), "@bench/big", seed, pub);
  const oneMib = await packSigned(join(WORK, "src", "one-mib"), join(WORK, "archives", "one-mib.aam"), "@bench/one-mib", seed, pub);
  const gpg = gpgSetup(join(WORK, "gnupg"), join(WORK, "archives", "big.aam"));

  // A registry with 1,000 signed versions across 100 packages.
  const reg = join(WORK, "registry");
  await initRegistry(reg, { name: "bench", now: NOW });
  const peerSigs = join(WORK, "registry-sigs");
  for (let p = 0; p < 100; p++) {
    const name = `@bench/pkg-${String(p).padStart(3, "0")}`;
    for (let v = 0; v < 10; v++) {
      const version = `1.${v}.0`;
      const dir = join(WORK, "tmp", `${p}-${v}`);
      write(join(dir, "aam.yaml"), manifest(name, version, `Benchmark package ${p}`));
      write(join(dir, "prompts", "main.md"), text(6000, p * 100 + v));
      write(join(dir, "data", "table.bin"), randomBytes(2000, p * 100 + v));
      const packed = await packDirectory(dir);
      const s = await sign(packed.bytes, packed.checksum, name, version, seed, pub);
      await publishVersion(
        reg,
        { archive: packed.bytes, name, version, description: `Benchmark package ${p}`, keywords: ["bench"], artifactTypes: ["prompts"], dependencies: {}, sigText: s.sigText, signatures: [{ algorithm: "ed25519", key_fingerprint: fp, signed_at: s.entry.signed_at }] },
        { now: NOW, actor: "bench" },
      );
      write(join(peerSigs, toFsName(name), `${version}.bin`), s.raw);
    }
  }
  rmSync(join(WORK, "tmp"), { recursive: true, force: true });
  // A one-package registry for `verify --offline` of a small package.
  const smallDir = join(WORK, "src", "small");
  const small = await packDirectory(smallDir);
  const ss = await sign(small.bytes, small.checksum, "@bench/small", "1.0.0", seed, pub);
  const smallReg = join(WORK, "small-registry");
  await initRegistry(smallReg, { name: "bench-small", now: NOW });
  await publishVersion(
    smallReg,
    { archive: small.bytes, name: "@bench/small", version: "1.0.0", description: "small", keywords: [], artifactTypes: ["prompts"], dependencies: {}, sigText: ss.sigText, signatures: [{ algorithm: "ed25519", key_fingerprint: fp }] },
    { now: NOW, actor: "bench" },
  );

  // An index of 10,000 packages (search reads only registry.yaml and index.yaml).
  const idxReg = join(WORK, "index-registry");
  await initRegistry(idxReg, { name: "bench-index", now: NOW });
  const next = prng(99);
  const entries: IndexEntry[] = [];
  for (let i = 0; i < 10000; i++) {
    const kw = [WORDS[next() % WORDS.length], WORDS[next() % WORDS.length]];
    entries.push({
      name: `@scope-${i % 50}/package-${String(i).padStart(5, "0")}`,
      description: text(60 + (next() % 80), 1000 + i).replace(/\n/g, " ").trim(),
      latest: `${next() % 5}.${next() % 20}.${next() % 10}`,
      keywords: kw,
      artifact_types: ["prompts", "skills"].slice(0, 1 + (next() % 2)),
      signed: next() % 3 !== 0,
      updated_at: "2024-01-01T00:00:00.000Z",
    });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  write(join(idxReg, "index.yaml"), serializeIndex({ packages: entries }));

  // Registries of 100, 10,000 and 50,000 packages for one more publish each (publish-scale), and an
  // index of 100,000 packages for search (search-100k), as the line form AAM writes.
  for (const n of [100, 10_000, 50_000]) await scaledRegistry(join(WORK, `scale-${n}`), n);
  write(join(WORK, "src", "publish-one", "aam.yaml"), manifest("@bench/publish-one", "0.0.1"));
  write(join(WORK, "src", "publish-one", "prompts", "main.md"), text(3000, 11));
  const bigIdx = join(WORK, "index-100k");
  await initRegistry(bigIdx, { name: "bench-index-100k", now: NOW });
  const many: IndexEntry[] = [];
  for (let i = 0; i < 100_000; i++) {
    many.push({
      name: `@scope-${i % 50}/package-${String(i).padStart(6, "0")}`,
      description: text(60 + (next() % 80), 5000 + (i % 10_000)).replace(/\n/g, " ").trim(),
      latest: `${next() % 5}.${next() % 20}.${next() % 10}`,
      keywords: [WORDS[next() % WORDS.length], WORDS[next() % WORDS.length]],
      artifact_types: ["prompts"],
      signed: next() % 3 !== 0,
      updated_at: "2024-01-01T00:00:00.000Z",
    });
  }
  write(join(bigIdx, "index.yaml"), serializeIndex({ packages: many }));

  write(
    stampFile,
    JSON.stringify({ generator: GENERATOR_VERSION, fingerprint: fp, big, oneMib, gpg, seconds: Math.round((performance.now() - t0) / 1000) }, null, 2) + "\n",
  );
  console.log(`bench-work/ built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

await main();
