/** Paths (relative to `root`, posix) reachable from `entries` by relative import specifiers. */
export function reachableFiles(root: string, entries: string[]): Set<string>;
