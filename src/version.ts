/** AAM's version, from package.json (bundled into dist/cli.js for Node). */
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
