// `npm run build:release`: the release executables for every platform (bun build --compile --target
// cross-compiles), SHA256SUMS over them (`sha256sum -c SHA256SUMS` checks it), and SHA256SUMS.sig,
// a detached Ed25519 signature by the release key: the 64 raw signature bytes over the message an
// AAM `ed25519` signature entry signs for a file (SPEC §5: `aam-signature-v1:sha256:<hex>`), so
// `aam verify-blob SHA256SUMS --signature SHA256SUMS.sig --key release-key.pem` and OpenSSL alone
// (README "Release binaries") both check it.
//
//   AAM_RELEASE_KEY=<an aam-key-v1 file, as `aam key generate` writes> AAM_RELEASE_PASSPHRASE=<its passphrase>
//   bun scripts/build_release.ts [--targets linux-x64,...] [--out release]
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { buildBinary } from "./build_binary.ts";
import { decryptKeyFile } from "../src/keys/ed25519_file.ts";
import { signEd25519 } from "../src/signing/ed25519/sign.ts";
import { signatureMessage } from "../src/signing/message.ts";
import { checksumOf } from "../src/encoding/sha256.ts";

export const RELEASE_TARGETS = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "windows-x64"] as const;
type Target = (typeof RELEASE_TARGETS)[number];

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const targets = (flag("--targets")?.split(",") ?? [...RELEASE_TARGETS]) as Target[];
for (const t of targets) if (!RELEASE_TARGETS.includes(t)) throw new Error(`unknown target ${t}; one of ${RELEASE_TARGETS.join(", ")}`);
const outDir = flag("--out") ?? "release";
const keyFile = process.env.AAM_RELEASE_KEY;
if (!keyFile) {
  console.error("error: AAM_RELEASE_KEY is not set\nhint: point it at the release key file (aam-key-v1, as `aam key generate` writes) and set AAM_RELEASE_PASSPHRASE");
  process.exit(2);
}
// Unlocked before the minutes of building: a wrong passphrase fails at once.
const key = await decryptKeyFile(readFileSync(keyFile, "utf8"), process.env.AAM_RELEASE_PASSPHRASE ?? null, keyFile);

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const files: string[] = [];
for (const t of targets) {
  const out = join(outDir, `aam-${t}${t.startsWith("windows") ? ".exe" : ""}`);
  await buildBinary(out, `bun-${t}` as Bun.Build.CompileTarget);
  console.error(`built ${out}`);
  files.push(out);
}

const sums = files
  .map((f) => `${checksumOf(readFileSync(f)).slice("sha256:".length)}  ${basename(f)}\n`)
  .sort((a, b) => a.slice(66).localeCompare(b.slice(66)))
  .join("");
const sumsBytes = new TextEncoder().encode(sums);
writeFileSync(join(outDir, "SHA256SUMS"), sumsBytes);
const signature = await signEd25519(key.seed, signatureMessage(checksumOf(sumsBytes)));
key.seed.fill(0);
writeFileSync(join(outDir, "SHA256SUMS.sig"), signature);
console.error(`wrote ${join(outDir, "SHA256SUMS")} and SHA256SUMS.sig, signed by ${key.fingerprint}`);
