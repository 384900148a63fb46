// What AAM uses of `semver` (src/manifest/semver.ts), bundled as dist/vendor/semver.cjs: the function
// modules only, not the whole package's index (scripts/bench/parsers.mjs measures the difference).
module.exports = {
  parse: require("semver/functions/parse"),
  compare: require("semver/functions/compare"),
  compareBuild: require("semver/functions/compare-build"),
  satisfies: require("semver/functions/satisfies"),
  validRange: require("semver/ranges/valid"),
};
