// A bundler plugin (esbuild and Bun.build share its shape) that makes AAM's imports of some
// CommonJS packages lazy. A bundled CommonJS module is evaluated where it is imported, i.e. at
// start-up, and `yaml` and `semver` cost ~9 and ~11 ms there on Bun (yaml's classes, semver's ~40
// regular expressions) while most runs never call them (block_yaml.ts reads what AAM writes; only
// ranges need semver; only pack needs `ignore`). AAM's own imports of them get a stand-in that
// loads the module on first use (a property read or a call); the bundler bundles the `require()`
// inside it as a lazy call. Behaviour is unchanged; running from source (tests) loads them eagerly.
export const LAZY_CJS = /^(yaml|semver|ignore)$/;

/** The stand-ins' `require` of a package outside the bundle: VENDOR_PLACEHOLDER/<name>.cjs. */
export const VENDOR_PLACEHOLDER = "@@AAM_VENDOR@@";

/**
 * The plugin. With `{ external: true }` the packages are left out of the bundle altogether and the
 * stand-in requires `${VENDOR_PLACEHOLDER}/<name>.cjs`, which the build replaces with the path to a
 * CommonJS bundle of the package (scripts/build.mjs: dist/vendor/): a chunk holding one is compiled
 * whenever it is imported, evaluated or not (yaml is 270 KB: ~5-10 ms of every Node start-up).
 */
export function lazyCjsPlugin({ external = false } = {}) {
  return {
    name: "lazy-cjs",
    setup(b) {
      b.onResolve({ filter: LAZY_CJS }, (args) =>
        args.kind === "import-statement" && /[\\/]src[\\/]/.test(args.importer) ? { path: args.path, namespace: "lazy-cjs" } : undefined,
      );
      // External: required relative to the output file the stand-in lands in (an entry or a chunk),
      // through a require() the bundler does not follow.
      const loader = (name) =>
        external
          ? `import { createRequire } from "node:module";\nlet m; const load = () => (m ??= createRequire(import.meta.url)(${JSON.stringify(`${VENDOR_PLACEHOLDER}/${name}.cjs`)}));`
          : `let m; const load = () => (m ??= require(${JSON.stringify(name)}));`;
      b.onLoad({ filter: /.*/, namespace: "lazy-cjs" }, (args) => ({
        loader: "js",
        resolveDir: process.cwd(),
        contents: `${loader(args.path)}
export default new Proxy(function () {}, { get: (_, k) => load()[k], has: (_, k) => k in load(), apply: (_, self, args) => load().apply(self, args) });`,
      }));
    },
  };
}

export const lazyCjs = lazyCjsPlugin();
