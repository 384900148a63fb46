// Types for lazy_cjs.mjs (a plain module so that scripts/build.mjs can load it under Node).
export declare const LAZY_CJS: RegExp;
export declare const lazyCjs: { name: string; setup(build: unknown): void };
export declare const VENDOR_PLACEHOLDER: string;
export declare function lazyCjsPlugin(opts?: { external?: boolean }): { name: string; setup(build: unknown): void };
