/**
 * Temp names beside the file they replace (`.<name>.<pid>.<random>.tmp`), so a rename into place is
 * atomic; readers skip them and writers sweep the ones a killed writer left.
 */
import type * as NodePath from "node:path";
import { builtin } from "./builtin.ts";
import { randomBytes } from "./hash.ts";
import { toHex } from "../encoding/hex.ts";

// Required, not imported: see fs_read.ts.
const nodePath = builtin<typeof NodePath>("node:path");

/** A temporary name in the same folder as `p`, so a rename into place is atomic. */
export function tempNameFor(p: string): string {
  const dir = nodePath.dirname(p);
  const base = nodePath.basename(p);
  return nodePath.join(dir, `.${base}.${process.pid}.${toHex(randomBytes(6))}.tmp`);
}

/** True for names written by tempNameFor: readers skip them, writers clean them up. */
export function isTempName(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".tmp");
}

/** The pid of the process that made a temp name (see tempNameFor), or null for other names. */
export function tempNamePid(name: string): number | null {
  const m = /\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
  return m && isTempName(name) ? Number(m[1]) : null;
}
