/**
 * Read access to a registry tree, whatever its location kind (SPEC §4). Every read is bounded by
 * the file's limit (read_limits.ts `limitForFile`).
 */
export type SourceKind = "file" | "http" | "git";

export interface RegistrySource {
  readonly kind: SourceKind;
  /** As the user gave it (path or URL). */
  readonly location: string;
  /** The local folder for file and git sources; undefined for http. */
  readonly root?: string;
  /** A file's bytes, or null when it does not exist. */
  readBytes(rel: string): Promise<Uint8Array | null>;
  readText(rel: string): Promise<string | null>;
  /** A file as a stream of chunks (for index.yaml), or null when it does not exist. A chunk may be reused for the next: decode it before asking for more. */
  readStream(rel: string): Promise<AsyncIterable<Uint8Array> | null>;
  /** Names in a folder, or null when the source cannot list folders (static HTTP). */
  listDir(rel: string): Promise<string[] | null>;
}
