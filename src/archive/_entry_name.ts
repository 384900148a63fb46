/**
 * Entry-name rules for archives (SPEC §3): relative, "/"-separated, no ".." segment, no leading "/",
 * no backslash or NUL. Names are normalised ("./" and empty segments dropped) so that two spellings
 * of one path are caught as a collision rather than both written.
 */
import { MAX_NAME_BYTES, MAX_NAME_DEPTH } from "./limits.ts";
import { unsafeArchive } from "./_unsafe.ts";

const enc = new TextEncoder();
const utf8Length = (s: string): number => enc.encode(s).length;

/**
 * Checks an entry name and answers its normal form: segments joined by "/", with a trailing "/"
 * for a directory. Answers "" for the archive root ("./"), which only a directory may name.
 * @throws {AamError} UnsafeArchive naming the entry
 */
export function normaliseEntryName(raw: string, isDirectory: boolean): string {
  const refuse = (why: string) =>
    unsafeArchive(`Cannot read archive: entry "${printable(raw)}" ${why}`, { entry: printable(raw) });
  if (raw === "") throw refuse("has an empty name");
  if (raw.includes("\u0000")) throw refuse("has a NUL character in its name");
  if (raw.includes("\\")) throw refuse("has a backslash in its name");
  if (raw.startsWith("/")) throw refuse("has an absolute path");
  if (/^[A-Za-z]:/.test(raw)) throw refuse("has a drive-letter path");
  // A UTF-16 unit is at most 3 UTF-8 bytes: short names need no encoding to be measured.
  if (raw.length * 3 > MAX_NAME_BYTES && utf8Length(raw) > MAX_NAME_BYTES) throw refuse(`has a name longer than ${MAX_NAME_BYTES} bytes`);
  const segments: string[] = [];
  for (const seg of raw.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") throw refuse('has a ".." segment (path traversal)');
    if (seg.length * 3 > 255 && utf8Length(seg) > 255) throw refuse("has a path segment longer than 255 bytes");
    segments.push(seg);
  }
  if (segments.length > MAX_NAME_DEPTH) throw refuse(`is nested more than ${MAX_NAME_DEPTH} folders deep`);
  if (segments.length === 0) {
    if (!isDirectory) throw refuse("does not name a file");
    return "";
  }
  return segments.join("/") + (isDirectory ? "/" : "");
}

/** The name with control characters escaped, safe to show in a message. */
export function printable(name: string): string {
  // deno-lint-ignore no-control-regex
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
