/**
 * Mutation fuzzer (SPEC §3, §4, §5, §10 "No input, however malformed, ends in an uncaught exception").
 * From a valid signed package it makes random byte flips, truncations, splices, insertions and
 * duplications (seeded, so a run is reproducible) of the .aam (half of them inside the tar, gzipped
 * again so they reach the tar reader), its .sig, its metadata.yaml and a config.yaml, and feeds each to the real code paths in-process:
 *
 *   .aam          extractArchive() into a fresh folder, and verifyPackage() (checksum, identity, signature)
 *   .sig          parseSigFile(), and verifyPackage() with a trusted key and on_signature_failure=error
 *   metadata.yaml parseMetadata(), then verifyPackage() against the version record it names
 *   config.yaml   parseYaml() + validateConfig()
 *
 * Every outcome must be success or an AamError with a code from the SPEC table; extraction must write
 * nothing outside its target and leave nothing behind when it refuses. runCliFuzz() does a smaller
 * number of runs through the real CLI (bun src/cli.ts): exit codes from the table, `error[Name]` on
 * stderr, no stack trace.
 *
 *   npx bun scripts/fuzz.ts --iterations 100000 [--seed 1] [--cli 200]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { AamError, EXIT_CODES, type ErrorCode } from "../src/errors.ts";
import { packDirectory } from "../src/archive/pack.ts";
import { extractArchive } from "../src/archive/extract.ts";
import { gzipBytes } from "../src/archive/gzip_encoder.ts";
import { gunzipSync } from "fflate";
import { verifyPackage } from "../src/verify/pipeline.ts";
import { parseSigFile, serializeSigFile } from "../src/signing/sig_file.ts";
import { createEd25519Entry } from "../src/signing/ed25519/entry.ts";
import { generateEd25519 } from "../src/signing/ed25519/sign.ts";
import { fingerprint } from "../src/signing/ed25519/public_key.ts";
import { parseMetadata, serializeMetadata, findVersion } from "../src/registry/metadata.ts";
import { parseYaml } from "../src/encoding/yaml.ts";
import { validateConfig } from "../src/config/validate.ts";
import { checksumOf } from "../src/encoding/sha256.ts";
import type { TrustPolicy } from "../src/trust/policy.ts";
import { prng } from "./crash_trials.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const enc = new TextEncoder();
const dec = new TextDecoder();

export type Target = "archive" | "sig" | "metadata" | "config";
export const TARGETS: Target[] = ["archive", "sig", "metadata", "config"];

export interface FuzzFailure {
  iteration: number;
  target: Target;
  mutation: string;
  problem: string;
  input: Uint8Array;
}

export interface FuzzSummary {
  seed: number;
  iterations: number;
  /** Per target: how many inputs, how many were accepted, and the refusals by error code. */
  byTarget: Record<Target, { inputs: number; accepted: number; refused: Partial<Record<ErrorCode, number>> }>;
  extractions: number;
  failures: FuzzFailure[];
  ms: number;
}

/** A valid signed package and its files: the seeds every mutation starts from. */
export interface Corpus {
  name: string;
  version: string;
  archive: Uint8Array;
  sigText: string;
  metadataText: string;
  configText: string;
  policy: TrustPolicy;
}

export async function makeCorpus(work: string): Promise<Corpus> {
  const name = "@fuzz/pkg";
  const version = "1.2.3";
  const src = join(work, "src");
  mkdirSync(join(src, "skills", "review"), { recursive: true });
  mkdirSync(join(src, "prompts"), { recursive: true });
  writeFileSync(
    join(src, "aam.yaml"),
    `name: "${name}"\nversion: ${version}\ndescription: "Fuzz seed"\nkeywords: [fuzz]\nartifacts:\n  skills:\n    - {name: review, path: skills/review/, description: "Reviews"}\n  prompts:\n    - {name: hello, path: prompts/hello.md, description: "Says hello"}\n`,
  );
  writeFileSync(join(src, "skills", "review", "SKILL.md"), "# Review\n\nRead the diff and report findings.\n".repeat(20));
  writeFileSync(join(src, "prompts", "hello.md"), "# Hello\n");
  const archive = (await packDirectory(src)).bytes;
  const hash = checksumOf(archive);
  const key = await generateEd25519();
  const entry = await createEd25519Entry({ seed: key.seed, publicKey: key.publicKey, packageHash: hash, now: new Date(0) });
  const sigText = serializeSigFile({ version: 1, package: name, package_version: version, package_hash: hash, signatures: [entry] });
  const metadataText = serializeMetadata({
    name,
    description: "Fuzz seed",
    keywords: ["fuzz"],
    dist_tags: { latest: version },
    versions: [{ version, published: "2026-01-01T00:00:00Z", checksum: hash, size: archive.length, dependencies: {}, yanked: false, signatures: [{ algorithm: "ed25519", key_fingerprint: entry.key_fingerprint, signed_at: entry.signed_at }] }],
  });
  const fp = fingerprint(key.publicKey);
  const configText = `registries:\n  - {name: team, url: /srv/registry, default: true}\nsecurity:\n  signing_method: ed25519\n  trusted_keys: [${fp}]\n  require_signature: true\n  on_signature_failure: error\n  trusted_identities: ["*@example.com"]\n  signing_delegates:\n    ${fp}: ["@fuzz/*"]\n`;
  const policy: TrustPolicy = {
    trustedKeys: [fp], revokedKeys: [], trustedIdentities: [], allowedIssuers: [],
    signingDelegates: {}, requireSignature: true, onSignatureFailure: "error",
  };
  return { name, version, archive, sigText, metadataText, configText, policy };
}

/** One random mutation of `input`; `other` is a second input for splices. Answers the bytes and a label. */
export function mutate(input: Uint8Array, other: Uint8Array, rand: () => number): { bytes: Uint8Array; label: string } {
  const n = input.length;
  const at = (m: number) => Math.floor(rand() * Math.max(1, m));
  const kind = at(6);
  if (kind === 0 || n === 0) {
    const out = input.slice();
    const flips = 1 + at(8);
    for (let i = 0; i < flips && n > 0; i++) out[at(n)] ^= 1 << at(8);
    return { bytes: out, label: `flip x${flips}` };
  }
  if (kind === 1) {
    const len = at(n);
    return { bytes: input.slice(0, len), label: `truncate at ${len}` };
  }
  if (kind === 2) {
    // Splice: a slice of the other input (or of itself) replaces a slice of this one.
    const src = rand() < 0.5 ? other : input;
    const from = at(src.length);
    const len = at(Math.min(512, src.length - from));
    const to = at(n);
    const cut = at(Math.min(512, n - to));
    const out = new Uint8Array(n - cut + len);
    out.set(input.subarray(0, to), 0);
    out.set(src.subarray(from, from + len), to);
    out.set(input.subarray(to + cut), to + len);
    return { bytes: out, label: `splice ${len}@${to} over ${cut}` };
  }
  if (kind === 3) {
    const len = 1 + at(16);
    const to = at(n);
    const ins = new Uint8Array(len).map(() => (rand() < 0.5 ? at(256) : [0, 0xff, 0x2e, 0x2f, 0x0a, 0x22, 0x3a][at(7)]));
    const out = new Uint8Array(n + len);
    out.set(input.subarray(0, to), 0);
    out.set(ins, to);
    out.set(input.subarray(to), to + len);
    return { bytes: out, label: `insert ${len}@${to}` };
  }
  if (kind === 4) {
    // Set a byte to an "interesting" value: digits and separators shift sizes, offsets and lengths.
    const out = input.slice();
    const pos = at(n);
    out[pos] = [0x30, 0x37, 0x39, 0x00, 0xff, 0x20, 0x2f, 0x2e][at(8)];
    return { bytes: out, label: `set @${pos}` };
  }
  const from = at(n);
  const len = at(Math.min(4096, n - from));
  const out = new Uint8Array(n + len);
  out.set(input.subarray(0, from + len), 0);
  out.set(input.subarray(from, from + len), from + len);
  out.set(input.subarray(from + len), from + 2 * len);
  return { bytes: out, label: `duplicate ${len}@${from}` };
}

async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

const IS_CODE = (c: unknown): c is ErrorCode => typeof c === "string" && c in EXIT_CODES;

/** Runs `fn`; answers "ok", the AamError's code, or throws a description of anything else. */
async function outcome(fn: () => Promise<unknown> | unknown): Promise<"ok" | ErrorCode> {
  try {
    await fn();
    return "ok";
  } catch (e) {
    if (e instanceof AamError && IS_CODE(e.code)) return e.code;
    throw new Error(`uncaught ${(e as Error)?.name ?? typeof e}: ${(e as Error)?.message ?? String(e)}`);
  }
}

/** Files anywhere under `dir`, relative, for the "nothing written outside the target" check. */
function listTree(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + e.name;
    out.push(rel);
    if (e.isDirectory()) out.push(...listTree(join(dir, e.name), rel + "/"));
  }
  return out;
}

/** The in-process fuzzer. */
export async function runFuzz(opts: { seed: number; iterations: number; onFailure?: (f: FuzzFailure) => void }): Promise<FuzzSummary> {
  const started = Date.now();
  const rand = prng(opts.seed);
  const work = mkdtempSync(join(tmpdir(), "aam-fuzz-"));
  const summary: FuzzSummary = {
    seed: opts.seed,
    iterations: 0,
    byTarget: Object.fromEntries(TARGETS.map((t) => [t, { inputs: 0, accepted: 0, refused: {} }])) as FuzzSummary["byTarget"],
    extractions: 0,
    failures: [],
    ms: 0,
  };
  try {
    const c = await makeCorpus(work);
    // The sandbox: extraction targets live at sandbox/a/b/out; anything appearing elsewhere escaped.
    const sandbox = join(work, "sandbox");
    const inner = join(sandbox, "a", "b");
    mkdirSync(inner, { recursive: true });
    const seeds: Record<Target, Uint8Array> = { archive: c.archive, sig: enc.encode(c.sigText), metadata: enc.encode(c.metadataText), config: enc.encode(c.configText) };
    const tar = gunzipSync(c.archive);
    const files = { archive: "fuzz.aam", sig: "fuzz.aam.sig", metadata: "metadata.yaml" };
    const record = (t: Target, r: "ok" | ErrorCode) => {
      const s = summary.byTarget[t];
      s.inputs++;
      if (r === "ok") s.accepted++;
      else s.refused[r] = (s.refused[r] ?? 0) + 1;
    };
    for (let i = 0; i < opts.iterations; i++) {
      const target = TARGETS[i % TARGETS.length];
      const others = TARGETS.filter((t) => t !== target);
      let m = mutate(seeds[target], seeds[others[Math.floor(rand() * others.length)]], rand);
      // Every other archive is mutated inside the tar and gzipped again, so the mutation gets past the
      // gzip CRC and reaches the tar reader (headers, pax records, sizes, names).
      if (target === "archive" && (i >> 2) % 2 === 1) {
        const t = mutate(tar, seeds.sig, rand);
        m = { bytes: gzipBytes(t.bytes), label: `tar ${t.label}` };
      }
      const text = dec.decode(m.bytes);
      const fail = (problem: string) => {
        const f = { iteration: i, target, mutation: m.label, problem, input: m.bytes };
        summary.failures.push(f);
        opts.onFailure?.(f);
      };
      try {
        if (target === "archive") {
          const out = join(inner, "out");
          const r = await outcome(() => extractArchive(once(m.bytes), out));
          summary.extractions++;
          const tree = listTree(sandbox).filter((p) => !p.startsWith("a/b/out/") && p !== "a/b/out");
          if (tree.join(",") !== "a,a/b") fail(`extraction wrote outside its target: ${tree.join(", ")}`);
          if (r !== "ok" && readdirSync(inner).length > 0 && listTree(out).length > 0) fail(`refused extraction (${r}) left files behind`);
          if (r !== "ok" && r !== "UnsafeArchive") fail(`extraction refused with ${r}, expected UnsafeArchive`);
          rmSync(out, { recursive: true, force: true });
          record(target, r);
          // The pipeline, unsigned and with the mutated bytes' own hash, so it reaches the tar reader.
          const p = await outcome(() =>
            verifyPackage({ name: c.name, version: c.version, archive: m.bytes, expectedChecksum: checksumOf(m.bytes), sigText: null, files }, { ...c.policy, requireSignature: false, onSignatureFailure: "warn" }),
          );
          if (p !== "ok" && !["UnsafeArchive", "TamperedPackage"].includes(p)) fail(`verifyPackage refused a mutated archive with ${p}`);
          // And as tampering: the archive against the original checksum and .sig.
          const t = await outcome(() => verifyPackage({ name: c.name, version: c.version, archive: m.bytes, expectedChecksum: checksumOf(c.archive), sigText: c.sigText, files }, c.policy));
          const changed = checksumOf(m.bytes) !== checksumOf(c.archive);
          if (changed && t !== "TamperedPackage") fail(`a changed archive was not TamperedPackage but ${t}`);
        } else if (target === "sig") {
          const parsed = await outcome(() => parseSigFile(text, files.sig));
          record(target, parsed);
          if (parsed !== "ok" && parsed !== "MalformedSignature" && parsed !== "TamperedPackage") fail(`parseSigFile refused with ${parsed}`);
          await outcome(() => verifyPackage({ name: c.name, version: c.version, archive: c.archive, expectedChecksum: checksumOf(c.archive), sigText: text, files }, c.policy));
        } else if (target === "metadata") {
          let meta: ReturnType<typeof parseMetadata> | undefined;
          const r = await outcome(() => {
            meta = parseMetadata(text, files.metadata);
          });
          record(target, r);
          const rec = meta ? findVersion(meta, c.version) : undefined;
          if (meta && rec) {
            const v = await outcome(() => verifyPackage({ name: meta!.name, version: rec.version, archive: c.archive, expectedChecksum: rec.checksum, sigText: c.sigText, files }, c.policy));
            if (v === "ok" && (rec.checksum !== checksumOf(c.archive) || meta.name !== c.name)) fail("a metadata.yaml naming other bytes or another package verified");
          }
        } else {
          record(target, await outcome(() => validateConfig(parseYaml(text, "config.yaml"), "config.yaml")));
        }
      } catch (e) {
        fail((e as Error).message);
      }
      summary.iterations++;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  summary.ms = Date.now() - started;
  return summary;
}

/** Stack-trace lines as Node, Bun and Deno print them. */
export const STACK_TRACE = /^\s+at .+:\d+(:\d+)?\)?\s*$/m;

export interface CliFuzzSummary {
  runs: number;
  exitCodes: Record<string, number>;
  failures: { run: number; target: Target; mutation: string; problem: string }[];
  ms: number;
}

/** Runs the CLI (bun src/cli.ts) on mutated files: install an .aam, verify --file with a .sig, verify from a registry, config list. */
export async function runCliFuzz(opts: { seed: number; runs: number }): Promise<CliFuzzSummary> {
  const started = Date.now();
  const rand = prng(opts.seed + 1_000_003);
  const work = mkdtempSync(join(tmpdir(), "aam-clifuzz-"));
  const summary: CliFuzzSummary = { runs: 0, exitCodes: {}, failures: [], ms: 0 };
  const bun = join(ROOT, "node_modules", ".bin", "bun");
  const codes = new Set<number>([0, ...Object.values(EXIT_CODES)]);
  try {
    const c = await makeCorpus(work);
    const home = join(work, "home");
    const aam = (args: string[], cwd: string) =>
      spawnSync(bun, [join(ROOT, "src", "cli.ts"), ...args], {
        cwd,
        env: { PATH: process.env.PATH ?? "", HOME: home, AAM_HOME: join(home, ".aam"), NO_COLOR: "1" },
        encoding: "utf8",
      });
    // A registry holding the seed package, so a mutated metadata.yaml is read through the real reader.
    const reg = join(work, "reg");
    if (aam(["registry", "init", reg], work).status !== 0) throw new Error("registry init failed");
    const pkgDir = join(reg, "packages", "fuzz--pkg");
    mkdirSync(pkgDir, { recursive: true });
    writeFileSync(join(pkgDir, `${c.version}.aam`), c.archive);
    writeFileSync(join(pkgDir, `${c.version}.sig`), c.sigText);
    const seeds: Record<Target, Uint8Array> = { archive: c.archive, sig: enc.encode(c.sigText), metadata: enc.encode(c.metadataText), config: enc.encode(c.configText) };
    for (let i = 0; i < opts.runs; i++) {
      const target = TARGETS[i % TARGETS.length];
      const m = mutate(seeds[target], seeds[TARGETS[(i + 1) % TARGETS.length]], rand);
      const project = join(work, `project${i}`);
      mkdirSync(project, { recursive: true });
      rmSync(join(home, ".aam"), { recursive: true, force: true });
      mkdirSync(join(home, ".aam"), { recursive: true });
      let args: string[];
      if (target === "archive") {
        writeFileSync(join(work, "x.aam"), m.bytes);
        args = ["install", join(work, "x.aam")];
      } else if (target === "sig") {
        writeFileSync(join(work, "y.aam"), c.archive);
        writeFileSync(join(work, "y.aam.sig"), m.bytes);
        args = ["verify", "--file", join(work, "y.aam"), "--sig", join(work, "y.aam.sig"), "--require-signature"];
      } else if (target === "metadata") {
        writeFileSync(join(pkgDir, "metadata.yaml"), m.bytes);
        args = ["verify", `${c.name}@${c.version}`, "--registry", reg];
      } else {
        writeFileSync(join(home, ".aam", "config.yaml"), m.bytes);
        args = ["config", "list"];
      }
      const r = aam(args, project);
      const code = r.status ?? -1;
      summary.exitCodes[String(code)] = (summary.exitCodes[String(code)] ?? 0) + 1;
      const fail = (problem: string) => summary.failures.push({ run: i, target, mutation: m.label, problem });
      if (!codes.has(code)) fail(`exit code ${code} is not in the SPEC table (signal ${r.signal})`);
      if (STACK_TRACE.test(r.stderr)) fail(`stack trace on stderr: ${r.stderr.slice(0, 400)}`);
      if (code !== 0 && !/^error\[\w+\]: /m.test(r.stderr)) fail(`exit ${code} without error[Name]: ${r.stderr.slice(0, 200)}`);
      if (target === "archive" && code !== 0) {
        const left = listTree(project);
        if (left.length > 0) fail(`refused install left ${left.join(", ")}`);
      }
      summary.runs++;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  summary.ms = Date.now() - started;
  return summary;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const seed = Number(flag(args, "--seed") ?? 1);
  const iterations = Number(flag(args, "--iterations") ?? 10_000);
  const cliRuns = Number(flag(args, "--cli") ?? 0);
  const saveDir = join(ROOT, ".fuzz-failures");
  const s = await runFuzz({
    seed,
    iterations,
    onFailure: (f) => {
      mkdirSync(saveDir, { recursive: true });
      const file = join(saveDir, `${f.target}-${seed}-${f.iteration}`);
      writeFileSync(file, f.input);
      console.log(`iteration ${f.iteration} (${f.target}, ${f.mutation}): ${f.problem} [input: ${file}]`);
    },
  });
  const { failures, ...figures } = s;
  console.log(JSON.stringify({ ...figures, failures: failures.length }));
  let failed = failures.length > 0;
  if (cliRuns > 0) {
    const c = await runCliFuzz({ seed, runs: cliRuns });
    for (const f of c.failures) console.log(`cli run ${f.run} (${f.target}, ${f.mutation}): ${f.problem}`);
    console.log(JSON.stringify({ cli: { runs: c.runs, exitCodes: c.exitCodes, failures: c.failures.length, ms: c.ms } }));
    failed ||= c.failures.length > 0;
  }
  process.exit(failed ? 1 : 0);
}
