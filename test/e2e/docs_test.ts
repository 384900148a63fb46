/**
 * Every command example in the docs is run, so the docs cannot rot (issue 9).
 *
 * Fenced ```sh blocks of docs/*.md, and of the README's "Quick start" section, run under
 * `bash` with `set -e`, one script per file, blocks in order in one fresh temp folder (so a block
 * can build on the ones before it), with HOME and AAM_HOME fresh, AAM_PASSPHRASE set and `aam`
 * on PATH as a wrapper for `node <repo>/dist/cli.js`. Attributes after `sh`:
 *
 * - `expect-exit=N`: the block must end with exit status N (it runs in a subshell, so a `cd`
 *   or variable set there does not carry over);
 * - `requires=PROGRAM`: the block is skipped where PROGRAM is not installed (e.g. gpg);
 * - `stand-ins=sigstore`: the block talks to the local Sigstore stand-ins this test starts on
 *   127.0.0.1 (Fulcio, Rekor and a TSA at `$AAM_DOCS_SIGSTORE`, their trusted root at
 *   `$AAM_DOCS_TRUSTED_ROOT`, and an OpenID Connect provider at `$AAM_DOCS_OIDC_ISSUER` that signs
 *   author@example.org in at once), started only when a doc has such a block.
 *
 * Blocks that cannot run here (a network, a browser, an OIDC login) are ```console or ```text;
 * their `aam` lines are still checked: every `--flag` must be one the command accepts.
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync, mkdirSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tempDir, removeDir } from "../helpers.ts";
import { main } from "../../src/cli/main.ts";
import { startSigstoreStandIns, type SigstoreStandIns } from "../sigstore_mock.ts";
import { startOidcIssuer, type OidcIssuer } from "../oidc_issuer.ts";

interface Block {
  file: string;
  line: number;
  lang: string;
  attrs: Record<string, string>;
  body: string;
}

const KNOWN_ATTRS = new Set(["expect-exit", "requires", "stand-ins"]);

/** Fenced blocks of a markdown text; `only` keeps those under the named `## ` heading. */
function extractBlocks(file: string, text: string, only?: string): Block[] {
  const lines = text.split("\n");
  const out: Block[] = [];
  let section = "";
  for (let i = 0; i < lines.length; i++) {
    const h = /^## (.*)$/.exec(lines[i]);
    if (h) section = h[1].trim();
    const open = /^```(\S*)(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    if (only !== undefined && section !== only) continue;
    const attrs: Record<string, string> = {};
    for (const tok of open[2].trim().split(/\s+/).filter(Boolean)) {
      const [k, v = ""] = tok.split("=");
      attrs[k] = v;
    }
    out.push({ file, line: start + 1, lang: open[1], attrs, body: body.join("\n") });
  }
  return out;
}

function hasProgram(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
}

interface Doc {
  name: string;
  blocks: Block[];
}

function loadDocs(): Doc[] {
  const docs: Doc[] = readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => ({ name: `docs/${f}`, blocks: extractBlocks(`docs/${f}`, readFileSync(join(ROOT, "docs", f), "utf8")) }));
  docs.push({ name: "README.md (Quick start)", blocks: extractBlocks("README.md", readFileSync(join(ROOT, "README.md"), "utf8"), "Quick start") });
  return docs;
}

/** One bash script for a doc: its runnable blocks in order, each announcing itself in a marker file. */
function scriptFor(doc: Doc, marker: string): { script: string; ran: number; skipped: string[] } {
  const parts = [
    "set -e",
    "shopt -u expand_aliases",
    // The reader runs `npm ci` in a clone; here dist/ is already built.
    'npm() { if [ "$1" = ci ]; then return 0; fi; command npm "$@"; }',
    // Stop any gpg-agent a gpg example started in this temp HOME.
    "trap 'gpgconf --kill all >/dev/null 2>&1 || true' EXIT",
  ];
  let ran = 0;
  const skipped: string[] = [];
  for (const b of doc.blocks.filter((b) => b.lang === "sh")) {
    const where = `${b.file}:${b.line}`;
    if (b.attrs.requires && !hasProgram(b.attrs.requires)) {
      skipped.push(`${where} (needs ${b.attrs.requires})`);
      continue;
    }
    ran++;
    parts.push(`printf '%s\\n' ${JSON.stringify(where)} > ${JSON.stringify(marker)}`);
    if (b.attrs["expect-exit"] !== undefined) {
      const want = Number(b.attrs["expect-exit"]);
      parts.push("set +e", "(", "set -e", b.body, ")", "__rc=$?", "set -e");
      parts.push(`if [ "$__rc" -ne ${want} ]; then echo "docs test: block at ${where} exited $__rc, expected ${want}" >&2; exit 99; fi`);
    } else parts.push(b.body);
  }
  parts.push(`printf 'done\\n' > ${JSON.stringify(marker)}`);
  return { script: parts.join("\n") + "\n", ran, skipped };
}

interface DocRun {
  code: number;
  stdout: string;
  stderr: string;
  lastBlock: string;
  ran: number;
  skipped: string[];
}

function runDoc(doc: Doc, base: string, binDir: string, standIns: Record<string, string>): Promise<DocRun> {
  // HOME apart from the working folder: else $HOME/.aam/config.yaml would also be read as the
  // working folder's project configuration (.aam/config.yaml).
  const top = join(base, doc.name.replace(/[^a-z0-9]+/gi, "_"));
  const work = join(top, "work");
  const home = join(top, "home");
  mkdirSync(work, { recursive: true });
  mkdirSync(home, { recursive: true });
  const marker = join(top, "marker");
  const { script, ran, skipped } = scriptFor(doc, marker);
  const scriptFile = join(top, "script.sh");
  writeFileSync(scriptFile, script);
  const env = {
    PATH: `${binDir}:${process.env.PATH ?? ""}`,
    HOME: home,
    AAM_HOME: join(home, ".aam"),
    AAM_PASSPHRASE: "docs example passphrase",
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
    GIT_AUTHOR_NAME: "Docs Test",
    GIT_AUTHOR_EMAIL: "docs@example.org",
    GIT_COMMITTER_NAME: "Docs Test",
    GIT_COMMITTER_EMAIL: "docs@example.org",
    LANG: "C.UTF-8",
    ...standIns,
  };
  return new Promise((resolve) => {
    const child = spawn("bash", [scriptFile], { cwd: work, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => {
      let lastBlock = "";
      try {
        lastBlock = readFileSync(marker, "utf8").trim();
      } catch {
        lastBlock = "(none)";
      }
      resolve({ code: code ?? 128, stdout, stderr, lastBlock, ran, skipped });
    });
  });
}

/** Runs the factories `fns`, at most `n` at a time. */
function limit<T>(fns: (() => Promise<T>)[], n: number): Promise<T>[] {
  const results: Promise<T>[] = [];
  let active = 0;
  const queue: (() => void)[] = [];
  for (const fn of fns) {
    results.push(
      new Promise<T>((resolve, reject) => {
        const start = () => {
          active++;
          fn()
            .then(resolve, reject)
            .finally(() => {
              active--;
              queue.shift()?.();
            });
        };
        if (active < n) start();
        else queue.push(start);
      }),
    );
  }
  return results;
}

/** The options `aam <words> --help` lists, asked in-process (cac prints help through console). */
async function optionsOf(words: string[]): Promise<Set<string> | null> {
  const buf: string[] = [];
  const log = console.log;
  const info = console.info;
  console.log = console.info = (...a: unknown[]) => void buf.push(a.join(" "));
  const writer = { stdout: (s: string) => void buf.push(s), stderr: () => {}, stdoutIsTTY: false, stderrIsTTY: false, noColor: true };
  let code: number;
  try {
    code = await main([...words, "--help"], writer);
  } finally {
    console.log = log;
    console.info = info;
  }
  if (code !== 0) return null;
  return new Set([...buf.join("\n").matchAll(/(?:^|[\s,])(--[a-z][a-z0-9-]*)/gm)].map((m) => m[1].replace(/^--no-/, "--")));
}

const docs = loadDocs();
let base = "";
let binDir = "";
const runs = new Map<string, Promise<DocRun>>();

let sigstore: SigstoreStandIns | undefined;
let issuer: OidcIssuer | undefined;

/** The stand-ins' addresses for the docs' scripts, started when some block asks for them. */
async function startStandIns(): Promise<Record<string, string>> {
  if (!docs.some((d) => d.blocks.some((b) => b.lang === "sh" && b.attrs["stand-ins"] === "sigstore"))) return {};
  sigstore = await startSigstoreStandIns();
  issuer = await startOidcIssuer({ email: "author@example.org" });
  const root = join(base, "stand-ins-trusted-root.json");
  writeFileSync(root, sigstore.trustedRoot);
  return { AAM_DOCS_SIGSTORE: sigstore.url, AAM_DOCS_OIDC_ISSUER: issuer.url, AAM_DOCS_TRUSTED_ROOT: root };
}

beforeAll(async () => {
  base = tempDir("aam-docs-");
  binDir = join(base, "bin");
  mkdirSync(binDir);
  const wrapper = join(binDir, "aam");
  writeFileSync(wrapper, `#!/bin/sh\nexec node ${JSON.stringify(join(ROOT, "dist", "cli.js"))} "$@"\n`);
  chmodSync(wrapper, 0o755);
  // Every doc starts now; each test below awaits its own (they are independent folders).
  const standIns = await startStandIns();
  const started = limit(docs.map((d) => () => runDoc(d, base, binDir, standIns)), 5);
  docs.forEach((d, i) => runs.set(d.name, started[i]));
});

afterAll(async () => {
  // Every doc has finished (each test awaited its run) before the stand-ins stop.
  await Promise.allSettled(runs.values());
  await sigstore?.close();
  await issuer?.close();
  removeDir(base);
});

describe("docs", () => {
  test("docs/ holds the guides the README promises, each with runnable examples", () => {
    const names = docs.map((d) => d.name);
    for (const f of ["getting-started", "signing-and-trust", "air-gapped", "registries", "key-rotation", "formats", "exit-codes", "json-output", "reference-examples", "registry-attestation"]) {
      expect(names).toContain(`docs/${f}.md`);
    }
    for (const d of docs) {
      expect({ doc: d.name, sh: d.blocks.filter((b) => b.lang === "sh").length > 0 }).toEqual({ doc: d.name, sh: true });
    }
  });

  test("sh blocks carry only known attributes", () => {
    const bad = docs.flatMap((d) => d.blocks.filter((b) => b.lang === "sh").flatMap((b) => Object.keys(b.attrs).filter((k) => !KNOWN_ATTRS.has(k)).map((k) => `${b.file}:${b.line} ${k}`)));
    expect(bad).toEqual([]);
    // The only stand-ins there are: a misspelt value would run the block without them.
    const standIns = docs.flatMap((d) => d.blocks.filter((b) => b.attrs["stand-ins"] !== undefined && b.attrs["stand-ins"] !== "sigstore").map((b) => `${b.file}:${b.line}`));
    expect(standIns).toEqual([]);
  });

  test("aam commands in console and text blocks use only options the command accepts", async () => {
    const problems: string[] = [];
    const cache = new Map<string, Set<string> | null>();
    for (const d of docs) {
      // Blocks meant to fail may misspell an option on purpose.
      for (const b of d.blocks.filter((b) => b.lang === "console" || b.lang === "text" || (b.lang === "sh" && b.attrs["expect-exit"] === undefined))) {
        for (const raw of b.body.split("\n")) {
          const line = raw.replace(/^\$\s+/, "").replace(/#.*$/, "").trim();
          const m = /^(?:[A-Z_]+=\S+\s+)*aam\s+(.*)$/.exec(line);
          if (!m) continue;
          const words = m[1].split(/\s+/).filter(Boolean);
          const cmd = words.filter((w) => !w.startsWith("-")).slice(0, 2);
          let opts: Set<string> | null | undefined;
          // Try "group sub" first, then "group" alone (commands that take a positional argument).
          for (const key of [cmd.join(" "), cmd[0] ?? ""]) {
            if (!key) continue;
            if (!cache.has(key)) cache.set(key, await optionsOf(key.split(" ")));
            opts = cache.get(key);
            if (opts) break;
          }
          if (!opts) {
            problems.push(`${b.file}:${b.line}: unknown command "aam ${cmd.join(" ")}"`);
            continue;
          }
          for (const w of words.filter((w) => w.startsWith("--"))) {
            const flag = w.split("=")[0].replace(/^--no-/, "--");
            if (!opts.has(flag)) problems.push(`${b.file}:${b.line}: "aam ${cmd.join(" ")}" has no option ${w}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  for (const d of docs) {
    test(`every sh block of ${d.name} runs as documented`, async () => {
      const r = await runs.get(d.name)!;
      if (r.code !== 0) {
        throw new Error(`${d.name}: failed in the block at ${r.lastBlock} (exit ${r.code})\n--- stderr (tail) ---\n${r.stderr.slice(-3000)}\n--- stdout (tail) ---\n${r.stdout.slice(-1500)}`);
      }
      expect(r.lastBlock).toBe("done");
      expect(r.ran + r.skipped.length).toBeGreaterThan(d.name.startsWith("README") ? 1 : 0);
      if (r.skipped.length) console.warn(`docs test: skipped ${r.skipped.join(", ")}`);
    });
  }
});
