// The one openpgp.js build AAM runs on Node and Bun (and in dist/aam): its browser build, which signs and
// verifies every curve with WebCrypto or its own (noble) code. Its "node" build, which the package's
// `import` condition selects, sends each ECDSA curve WebCrypto lacks to node:crypto when the
// runtime's node:crypto lists it, and that path needs `eckey-utils`, a devDependency of openpgp that
// is never installed. The lists differ (Node: brainpool and secp256k1; Deno: secp256k1; Bun:
// neither), so brainpool keys failed on Node only and secp256k1 failed otherwise on Deno; the bare
// name "openpgp" maps here through tsconfig.json "paths" (Bun, tsc, and the Bun bundler for dist/aam),
// the alias in scripts/build.mjs (the Node bundle). Deno keeps npm:openpgp (deno.json): a JSR package
// cannot point into node_modules; the key rules refuse the curve Deno would send to node:crypto.
export * from "../../../node_modules/openpgp/dist/openpgp.mjs";
