// What AAM uses of `semver` (src/manifest/semver.ts), bundled as dist/vendor/semver.cjs: the range
// function modules only (versions alone: src/manifest/version_order.ts), not the whole package's index (scripts/bench/parsers.mjs measures the difference).
module.exports = {
  satisfies: require("semver/functions/satisfies"),
  validRange: require("semver/ranges/valid"),
};
