/**
 * A one-shot HTTP listener on 127.0.0.1 for an OAuth redirect: the browser comes back to
 * `redirectUri` with the authorization code, the page says it can be closed, and the listener stops.
 */
import type * as Http from "node:http";
import { builtin } from "./builtin.ts";

export interface Callback {
  redirectUri: string;
  /** The query parameters the browser brought back to the callback path. */
  result: Promise<URLSearchParams>;
  close(): void;
}

export async function listenForCallback(path: string, timeoutMs: number): Promise<Callback> {
  let resolve!: (p: URLSearchParams) => void;
  let reject!: (e: Error) => void;
  const result = new Promise<URLSearchParams>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  const server = builtin<typeof Http>("node:http").createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== path) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("aam: signed in. You can close this window.\n");
    resolve(url.searchParams);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as { port: number };
  const timer = setTimeout(() => reject(new Error("timed out waiting for the browser sign-in")), timeoutMs);
  const close = () => {
    clearTimeout(timer);
    server.closeAllConnections?.();
    server.close();
  };
  result.then(close, close);
  return { redirectUri: `http://127.0.0.1:${port}${path}`, result, close };
}
