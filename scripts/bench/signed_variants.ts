// `bun scripts/bench/signed_variants.ts`: OpenPGP- and Sigstore-signed copies of the 1 MiB and 49 MiB
// bench archives (bench-work/archives/<name>-{openpgp,sigstore}.aam and .sig, and the Sigstore entry's
// bundle alone as <name>-sigstore.bundle.json for verify-blob), for the memory bench
// (issue 15 item 4: these entries are checked in verify's one streamed read too), and the home that
// trusts their signers (bench-work/home-signed). Run by run.mjs after generate.ts, with dist/ built.
// OpenPGP: real gpg, with the key generate.ts made in bench-work/gnupg. Sigstore: keyless, signed at
// local stand-ins on 127.0.0.1 (test/sigstore_mock.ts); the home imports their trusted root, so the
// verification measured is offline. Keys and certificates are random, which changes no timing.
// Prints the JSON { openpgp: boolean, sigstore: true }.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, rmSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startSigstoreStandIns, fakeIdentityToken } from "../../test/sigstore_mock.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WORK = join(ROOT, "bench-work");
const HOME = join(WORK, "home-signed");
const GNUPG = join(WORK, "gnupg");
const GPG_UID = "bench@example.invalid";
const IDENTITY = "release@bench.invalid";
const ISSUER = "https://issuer.bench.invalid";
const env = { ...process.env, AAM_HOME: HOME, GNUPGHOME: GNUPG, NO_COLOR: "1" };

/** Runs the built CLI under Node, asynchronously: the stand-ins answer from this process. */
function aam(args: string[], extra: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.NODE ?? "node", [join(ROOT, "dist", "cli.js"), ...args], { env: { ...env, ...extra }, cwd: WORK, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`aam ${args.join(" ")}: exit ${code}\n${err}`))));
  });
}

rmSync(HOME, { recursive: true, force: true });
mkdirSync(HOME, { recursive: true });
const stand = await startSigstoreStandIns();
try {
  writeFileSync(join(HOME, "mock_root.json"), stand.trustedRoot);
  await aam(["trust-root", "import", join(HOME, "mock_root.json")]);
  for (const k of ["fulcio_url", "rekor_url", "tsa_url"]) await aam(["config", "set", `security.sigstore.${k}`, stand.url]);
  await aam(["config", "add", "security.trusted_identities", IDENTITY]);
  await aam(["config", "add", "security.allowed_issuers", ISSUER]);
  await aam(["config", "set", "security.on_signature_failure", "error"]);
  const pub = spawnSync("gpg", ["--batch", "--armor", "--export", GPG_UID], { env, encoding: "utf8" });
  const openpgp = pub.status === 0 && pub.stdout.includes("BEGIN PGP PUBLIC KEY BLOCK");
  if (openpgp) {
    writeFileSync(join(HOME, "bench.asc"), pub.stdout);
    await aam(["key", "trust", join(HOME, "bench.asc")]);
  }
  for (const name of ["one-mib", "big"]) {
    for (const method of openpgp ? ["openpgp", "sigstore"] : ["sigstore"]) {
      const copy = join(WORK, "archives", `${name}-${method}.aam`);
      copyFileSync(join(WORK, "archives", `${name}.aam`), copy);
      rmSync(`${copy}.sig`, { force: true }); // `pkg sign` extends an existing .sig
      if (method === "openpgp") await aam(["pkg", "sign", copy, "--signing-method", "gpg", "--gpg-key", GPG_UID]);
      else {
        await aam(["pkg", "sign", copy, "--signing-method", "sigstore"], { SIGSTORE_ID_TOKEN: fakeIdentityToken(IDENTITY, ISSUER) });
        // The entry's bundle alone, for `aam verify-blob <archive> --bundle` (the memory bench).
        writeFileSync(join(WORK, "archives", `${name}-sigstore.bundle.json`), JSON.stringify(JSON.parse(readFileSync(`${copy}.sig`, "utf8")).signatures[0].bundle));
      }
    }
  }
  process.stdout.write(JSON.stringify({ openpgp, sigstore: true }) + "\n");
} finally {
  await stand.close();
}
