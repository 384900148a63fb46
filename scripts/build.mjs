// Bundles the CLI into one file for Node (fast start: one module graph, no resolution at run time).
// Heavy modules (openpgp, @sigstore/*) stay behind dynamic import() so a command loads them only when it needs them.
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  legalComments: "none",
  logLevel: "warning",
  // CommonJS dependencies bundled into ESM need a require() for node: built-ins.
  banner: { js: "import { createRequire as __aamCreateRequire } from 'node:module'; const require = __aamCreateRequire(import.meta.url);" },
};
await build({
  ...common,
  entryPoints: ["src/cli.ts"],
  outfile: "dist/cli.js",
  banner: { js: "#!/usr/bin/env node\n" + common.banner.js },
});
await build({ ...common, entryPoints: ["src/index.ts"], outfile: "dist/index.js" });
