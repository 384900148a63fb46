// A bundler plugin (esbuild and Bun.build share its shape) that makes AAM's imports of some
// CommonJS packages lazy. A bundled CommonJS module is evaluated where it is imported, i.e. at
// start-up, and `yaml` and `semver` cost ~9 and ~11 ms there on Bun (yaml's classes, semver's ~40
// regular expressions) while most runs never call them (block_yaml.ts reads what AAM writes; only
// ranges need semver; only pack needs `ignore`). AAM's own imports of them get a stand-in that
// loads the module on first use (a property read or a call); the bundler bundles the `require()`
// inside it as a lazy call. Behaviour is unchanged; running from source (tests) loads them eagerly.
export const LAZY_CJS = /^(yaml|semver(?:\/[a-z/-]+\.js)?|ignore)$/;

export const lazyCjs = {
  name: "lazy-cjs",
  setup(b) {
    b.onResolve({ filter: LAZY_CJS }, (args) =>
      args.kind === "import-statement" && /[\\/]src[\\/]/.test(args.importer) ? { path: args.path, namespace: "lazy-cjs" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-cjs" }, (args) => ({
      loader: "js",
      resolveDir: process.cwd(),
      contents: `let m; const load = () => (m ??= require(${JSON.stringify(args.path)}));
export default new Proxy(function () {}, { get: (_, k) => load()[k], has: (_, k) => k in load(), apply: (_, self, args) => load().apply(self, args) });`,
    }));
  },
};
