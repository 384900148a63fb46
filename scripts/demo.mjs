// `npm run demo`: the main job end to end, in a temporary folder, printing each step:
// a registry from registry-template/, a key, a package packed, signed, published and verified;
// then the air gap: prepared for offline use from the registry served over HTTP on 127.0.0.1,
// the server stopped and the registry deleted, verified and installed offline; a tampered copy refused.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, readFileSync, writeFileSync, cpSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { serveStatic } from "./static_server.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "dist", "cli.js");
const work = mkdtempSync(join(tmpdir(), "aam-demo-"));
const env = { ...process.env, AAM_HOME: join(work, "home"), AAM_PASSPHRASE: "demo passphrase", NO_COLOR: "1" };
let step = 0;

// Asynchronous, so the HTTP server in this process keeps answering while aam runs.
async function aam(args, { expect = 0, cwd = work } = {}) {
  console.log(`\n$ aam ${args.join(" ")}`);
  const child = spawn(process.execPath, [cli, ...args], { cwd, env, stdio: ["ignore", "inherit", "inherit"] });
  const status = await new Promise((ok) => child.on("close", ok));
  if (status !== expect) {
    console.error(`\ndemo failed: expected exit ${expect}, got ${status}`);
    process.exit(1);
  }
}
const title = (t) => console.log(`\n=== ${++step}. ${t}`);

try {
  if (spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { stdio: "inherit" }).status !== 0) process.exit(1);
  title("Create a registry from registry-template/ and make it the default");
  await aam(["registry", "init", join(work, "registry"), "--name", "demo", "--default"]);
  title("Generate an Ed25519 signing key (encrypted with AAM_PASSPHRASE)");
  await aam(["key", "generate", "--name", "demo"]);
  title("Create a package");
  await aam(["pkg", "init", "hello", "--name", "@demo/hello", "--description", "Greets the user", "--yes"]);
  await aam(["pkg", "validate", "hello"]);
  title("Pack it (deterministic archive)");
  await aam(["pkg", "pack", "hello"]);
  title("Sign and publish it");
  await aam(["pkg", "publish", "hello", "--sign"]);
  title("Search and inspect");
  await aam(["search", "hello"]);
  await aam(["info", "@demo/hello", "--signatures"]);
  title("Verify from the registry (checksum, identity, signature, trust)");
  await aam(["verify", "@demo/hello"]);
  await aam(["registry", "verify"]);

  title("Air gap: serve the registry over HTTP on 127.0.0.1 and prepare for offline use");
  const server = await serveStatic(join(work, "registry"));
  await aam(["verify", "--offline-prepare", "@demo/hello", "--registry", server.url]);
  await server.close();
  console.log("\n(server stopped; registry folder deleted)");
  rmSync(join(work, "registry"), { recursive: true, force: true });
  title("Verify and install offline: only the cache and the local trust configuration");
  await aam(["verify", "--offline", "@demo/hello"]);
  const project = join(work, "project");
  mkdirSync(project, { recursive: true });
  await aam(["install", "--offline", "@demo/hello"], { cwd: project });
  console.log(readFileSync(join(project, ".aam", "aam-lock.yaml"), "utf8"));

  title("A tampered copy is refused (exit 10, TamperedPackage)");
  const dist = join(work, "hello", "dist");
  const file = readdirSync(dist).find((f) => f.endsWith(".aam"));
  const bytes = readFileSync(join(dist, file));
  bytes[bytes.length - 20] ^= 0xff;
  writeFileSync(join(work, "tampered.aam"), bytes);
  cpSync(join(dist, `${file}.sig`), join(work, "tampered.aam.sig"));
  await aam(["verify", "--file", join(work, "tampered.aam")], { expect: 10 });
  console.log("\nDemo finished: every step behaved as expected.");
} finally {
  rmSync(work, { recursive: true, force: true });
}
