// Preloaded into Node (--import) and Bun (--preload) by the offline tests: any attempt to reach the
// network (fetch, sockets, DNS) throws and is recorded on stderr, so a test can prove none happened.
import net from "node:net";
import tls from "node:tls";
import dns from "node:dns";

const deny = (what) =>
  function () {
    process.stderr.write(`NETWORK-ACCESS-ATTEMPTED: ${what}\n`);
    throw new Error(`network access attempted: ${what}`);
  };
globalThis.fetch = deny("fetch");
globalThis.WebSocket = deny("WebSocket");
net.connect = net.createConnection = deny("net.connect");
net.Socket.prototype.connect = deny("net.Socket.connect");
tls.connect = deny("tls.connect");
dns.lookup = deny("dns.lookup");
dns.resolve = deny("dns.resolve");
