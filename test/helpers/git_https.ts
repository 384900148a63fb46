/**
 * A git server on 127.0.0.1 over HTTPS, as a hosted git registry is reached: a node:https server
 * running `git http-backend` as CGI for each request (bodies streamed both ways). Its certificate
 * is made with openssl at test time, signed by a throwaway CA that the client's git is told to trust
 * through its own configuration (http.sslCAInfo); certificate checks are never turned off.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

export interface GitHttps {
  /** https://127.0.0.1:<port> ; a repository `<root>/x.git` is `${base}/x.git`. */
  base: string;
  /** The CA certificate (PEM file) that signed the server's certificate. */
  caFile: string;
  /** When set, pushes (receive-pack) are answered with this status before git runs, as a host without permission would. */
  refusePush?: 401 | 403;
  /** Every request answered: method, path and status, in order. */
  log: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

/** Runs openssl. @throws {Error} when it fails. */
function openssl(args: string[], cwd: string): void {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

/** A CA and a certificate for IP 127.0.0.1 signed by it, in `dir`. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  openssl(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=aam test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"], dir);
  openssl(["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], dir);
  writeFileSync(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
  openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "server.pem"], dir);
  return { ca: join(dir, "ca.pem"), cert: join(dir, "server.pem"), key: join(dir, "server.key") };
}

/** The CGI meta-variables (RFC 3875) git http-backend reads, for one request. */
function cgiEnv(req: IncomingMessage, root: string): Record<string, string> {
  const url = new URL(req.url ?? "/", "https://127.0.0.1");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: root, // the server's git reads no user configuration of the test machine
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: "1",
    GATEWAY_INTERFACE: "CGI/1.1",
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
  };
  const h = req.headers;
  if (h["content-type"]) env.CONTENT_TYPE = h["content-type"];
  // Without a length (a chunked body) http-backend reads the body to its end.
  if (h["content-length"]) env.CONTENT_LENGTH = h["content-length"];
  if (typeof h["content-encoding"] === "string") env.HTTP_CONTENT_ENCODING = h["content-encoding"];
  if (typeof h["git-protocol"] === "string") env.GIT_PROTOCOL = h["git-protocol"];
  return env;
}

/** Splits a CGI response head into an HTTP status (from `Status:`, else 200) and headers. */
function parseCgiHead(head: string): { status: number; headers: [string, string][] } {
  let status = 200;
  const headers: [string, string][] = [];
  for (const line of head.split(/\r?\n/)) {
    const at = line.indexOf(":");
    if (at <= 0) continue;
    const [name, value] = [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
    else headers.push([name, value]);
  }
  return { status, headers };
}

/** Runs git http-backend for one request: request body to its stdin, its stdout (head, then body) to the response. */
function runBackend(req: IncomingMessage, res: ServerResponse, root: string, answered: (status: number) => void): void {
  const child = spawn("git", ["http-backend"], { env: cgiEnv(req, root), stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  child.stdin.on("error", () => undefined); // the backend may answer (a refusal) without reading the body
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  const onHead = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf("\r\n\r\n");
    const lf = head.indexOf("\n\n");
    const end = crlf !== -1 ? { at: crlf, len: 4 } : lf !== -1 ? { at: lf, len: 2 } : undefined;
    if (!end) return;
    child.stdout.off("data", onHead);
    const { status, headers } = parseCgiHead(head.subarray(0, end.at).toString("latin1"));
    res.writeHead(status, headers);
    answered(status);
    res.write(head.subarray(end.at + end.len));
    child.stdout.pipe(res);
  };
  child.stdout.on("data", onHead);
  const fail = (why: string) => {
    if (res.headersSent) return void res.destroy();
    res.writeHead(502, { "Content-Type": "text/plain" }).end(`git http-backend: ${why}\n`);
    answered(502);
  };
  child.on("error", (e) => fail(e.message));
  child.on("close", (code) => {
    if (!res.headersSent) fail(`exited ${code} without a response: ${stderr.trim()}`);
  });
}

/**
 * Serves the bare repositories under `root` over HTTPS on 127.0.0.1 (read and, where a
 * repository's `http.receivepack` is true, push). `certDir` receives the CA and server certificate.
 */
export async function startGitHttps(root: string, certDir: string): Promise<GitHttps> {
  const { ca, cert, key } = makeCertificates(certDir);
  const server: Server = createServer({ cert: readFileSync(cert), key: readFileSync(key) });
  const state: GitHttps = { base: "", caFile: ca, log: [], close: () => new Promise((r) => {
    server.close(() => r());
    server.closeAllConnections(); // idle keep-alive connections would hold close() open
  }) };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? "/";
    const answered = (status: number) => state.log.push({ method: req.method ?? "", path, status });
    const push = /[?&]service=git-receive-pack(&|$)/.test(path) || /\/git-receive-pack$/.test(path.split("?")[0]);
    if (push && state.refusePush) {
      const status = state.refusePush;
      req.resume();
      res.writeHead(status, status === 401 ? { "WWW-Authenticate": 'Basic realm="aam test"' } : {}).end(status === 401 ? "authentication required\n" : "forbidden\n");
      answered(status);
      return;
    }
    runBackend(req, res, root, answered);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
