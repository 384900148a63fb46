/**
 * Local stand-ins for Fulcio, Rekor and a timestamp authority (@sigstore/mock 0.12.1 handlers on a
 * node:http server bound to 127.0.0.1), and a trusted root naming their CA, log keys and TSA chain.
 * Used to test keyless signing end to end with no network but loopback. Not nock-based (`mockFulcio`
 * and friends rely on nock, which intercepts only under Node).
 */
import { createServer, type Server } from "node:http";
import { createHash, generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import { fulcioHandler, initializeCA, initializeCTLog, initializeTLog, initializeTSA, rekorHandler, tsaHandler } from "@sigstore/mock";

export interface SigstoreStandIns {
  /** Base URL serving Fulcio, Rekor and the TSA (e.g. http://127.0.0.1:4711). */
  url: string;
  /** trusted_root.json text naming the stand-ins' CA, Rekor key, CT log and TSA chain. */
  trustedRoot: string;
  close(): Promise<void>;
}

const b64 = (b: ArrayBufferView | Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
const START = "2020-01-01T00:00:00Z";

/** An unsigned JWT (the mock Fulcio decodes without verifying): `sub` becomes the SAN, `iss` the issuer. */
export function fakeIdentityToken(sub: string, iss: string): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const claims: Record<string, unknown> = { iss, sub, aud: "sigstore", iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 };
  if (sub.includes("@")) Object.assign(claims, { email: sub, email_verified: true });
  return `${enc({ alg: "none", typ: "JWT" })}.${enc(claims)}.`;
}

export async function startSigstoreStandIns(): Promise<SigstoreStandIns> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ec = () => generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ctLog = await initializeCTLog(ec());
  const ca = await initializeCA(ec(), ctLog);
  const tlog = await initializeTLog(url, ec());
  // The mock TSA writes genTime with milliseconds, trimming trailing zeros (".52Z"), which
  // @sigstore/core's GeneralizedTime parser rejects about one time in ten. A clock kept on whole
  // seconds (set before each request) gives times like real TSAs send.
  const tsaClock = new Date();
  const tsa = await initializeTSA(ec(), tsaClock);
  const handlers = [fulcioHandler(ca), rekorHandler(tlog), tsaHandler(tsa)];
  server.on("request", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const h = handlers.find((x) => x.path === req.url && req.method === "POST");
      if (!h) {
        res.writeHead(404).end("not found");
        return;
      }
      tsaClock.setTime(Math.floor(Date.now() / 1000) * 1000);
      const r = await h.fn(Buffer.concat(chunks).toString("utf8"));
      const body = typeof r.response === "string" ? r.response : Buffer.from(r.response.buffer, r.response.byteOffset, r.response.byteLength);
      res.writeHead(r.statusCode, { "Content-Type": r.contentType ?? "text/plain" }).end(body);
    });
  });
  const key = (raw: Uint8Array, keyId: Uint8Array) => ({
    baseUrl: url,
    hashAlgorithm: "SHA2_256",
    publicKey: { rawBytes: b64(raw), keyDetails: "PKIX_ECDSA_P256_SHA_256", validFor: { start: START } },
    logId: { keyId: b64(keyId) },
  });
  const root = {
    mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    tlogs: [key(tlog.publicKey, createHash("sha256").update(tlog.publicKey).digest())],
    certificateAuthorities: [
      {
        subject: { organization: "sigstore.mock", commonName: "sigstore" },
        uri: url,
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start: START },
      },
    ],
    ctlogs: [key(ctLog.publicKey, ctLog.logID as Uint8Array)],
    timestampAuthorities: [
      {
        subject: { organization: "sigstore.mock", commonName: "tsa" },
        certChain: { certificates: [{ rawBytes: b64(tsa.intCertificate) }, { rawBytes: b64(tsa.rootCertificate) }] },
        validFor: { start: START },
      },
    ],
  };
  return {
    url,
    trustedRoot: JSON.stringify(root, null, 2),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
