// A minimal static file server on 127.0.0.1 for the demo and the HTTP-registry tests.
// Serves GET/HEAD for files under `root`; refuses anything that resolves outside it.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";

export async function serveStatic(root) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const p = resolve(join(base, decodeURIComponent(url.pathname)));
      if (p !== base && !p.startsWith(base + sep)) {
        res.writeHead(403).end();
        return;
      }
      const st = await stat(p).catch(() => null);
      if (!st || !st.isFile()) {
        res.writeHead(404).end("not found");
        return;
      }
      const body = await readFile(p);
      res.writeHead(200, { "content-length": body.length, "content-type": "application/octet-stream" });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(500).end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
}
