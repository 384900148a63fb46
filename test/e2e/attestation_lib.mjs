// Verifies versions of a real attested registry on disk through the library API (dist/index.js
// under Node, src/index.ts under Bun and Deno), with and without a registry pin (VerifyInput.attestation),
// under the settings of SPEC §6's table. Prints one JSON object: case name -> outcome or error code.
//
// Usage: <runtime> attestation_lib.mjs <lib> <registry folder> <pinned key fingerprint> <author key fingerprint>
import process from "node:process";

const [lib, registry, regFp, authorFp] = process.argv.slice(2);
const { RegistryReader, fileSource, verifyPackage, parseSigFile, serializeSigFile, AamError } = await import(lib);

const reader = new RegistryReader(fileSource(registry));
const policy = (p = {}) => ({
  trustedKeys: [authorFp, regFp], // the attestation key among them: it must not count through this list
  revokedKeys: [],
  trustedIdentities: [],
  allowedIssuers: [],
  signingDelegates: {},
  requireSignature: true,
  onSignatureFailure: "error",
  ...p,
});
const pin = (p = {}) => ({ registry: "acme", keys: [regFp], listed: true, ...p });

async function input(version, attestation, sigText) {
  const pv = await reader.resolve("@acme/hello", { version });
  return {
    name: pv.name,
    version: pv.version,
    archive: await reader.archive(pv),
    expectedChecksum: pv.record.checksum,
    sigText: sigText === undefined ? await reader.sig(pv) : sigText,
    files: { archive: pv.archiveFile, sig: pv.sigFile },
    attestation,
  };
}

async function outcome(inp, pol) {
  try {
    return (await verifyPackage(inp, pol)).outcome;
  } catch (e) {
    return e instanceof AamError ? e.code : `other: ${e}`;
  }
}

const tra = { trustRegistryAttestations: true };
const both = { trustRegistryAttestations: true, requireRegistryAttestation: true };
const out = {};
// 1.0.0: author-signed and attested; 1.1.0: attested only; 1.2.0: author-signed, published after the attestation.
out.unsignedAttestedPinned = await outcome(await input("1.1.0", pin()), policy(tra));
out.unsignedAttestedPinnedNoTra = await outcome(await input("1.1.0", pin()), policy());
out.unsignedAttestedUnpinned = await outcome(await input("1.1.0", undefined), policy(tra));
out.otherKeyPinned = await outcome(await input("1.1.0", pin({ keys: ["ab".repeat(32)] })), policy(tra));
out.otherRegistryPinned = await outcome(await input("1.1.0", pin({ registry: "other" })), policy(tra));
out.unlisted = await outcome(await input("1.1.0", pin({ listed: false })), policy(both));
out.bothRequiredAuthorAndAttestation = await outcome(await input("1.0.0", pin()), policy({ requireRegistryAttestation: true }));
out.bothRequiredAttestationOnly = await outcome(await input("1.1.0", pin()), policy({ requireRegistryAttestation: true }));
out.bothRequiredAuthorOnly = await outcome(await input("1.2.0", pin()), policy({ requireRegistryAttestation: true }));
out.authorOnlyDefault = await outcome(await input("1.2.0", pin()), policy());

// 1.0.0's attestation copied into 1.1.0's .sig (its own removed): made for another version, it does not verify.
const v10 = parseSigFile(await reader.sig(await reader.resolve("@acme/hello", { version: "1.0.0" })), "1.0.0.sig");
const v11 = parseSigFile(await reader.sig(await reader.resolve("@acme/hello", { version: "1.1.0" })), "1.1.0.sig");
out.copiedFromOtherVersion = await outcome(await input("1.1.0", pin(), serializeSigFile({ ...v11, attestations: v10.attestations })), policy(tra));
// The entry relabelled for another registry name: the name is signed, so it does not verify either.
const relabelled = v11.attestations.map((a) => ({ ...a, registry: "other" }));
out.relabelledRegistry = await outcome(await input("1.1.0", pin({ registry: "other" }), serializeSigFile({ ...v11, attestations: relabelled })), policy(tra));

const report = await verifyPackage(await input("1.1.0", pin()), policy(tra));
out.signer = report.signers.map((s) => ({ algorithm: s.algorithm, registry: s.registry, key_fingerprint: s.key_fingerprint, trusted: s.trusted }));
process.stdout.write(JSON.stringify(out));
