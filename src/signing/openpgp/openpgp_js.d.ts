// Types of openpgp_js.js: the package's own (the browser build has the same API).
export * from "../../../node_modules/openpgp/dist/types/index";
