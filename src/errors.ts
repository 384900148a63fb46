/**
 * The one table of AAM's named errors and exit codes (SPEC §10).
 * Every failure a user can cause ends as an AamError; only cli/output.ts renders it.
 */
export const EXIT_CODES = {
  Error: 1,
  UsageError: 2,
  NotFound: 3,
  TamperedPackage: 10,
  InvalidSignature: 11,
  UntrustedSigner: 12,
  SignatureNotFound: 13,
  MalformedSignature: 14,
  PolicyViolation: 15,
  OfflineCacheMiss: 16,
  UnsafeArchive: 17,
  /** A pinned registry's snapshot is missing, older than one already seen (roll-back) or expired (freeze): SPEC §5a. */
  StaleMetadata: 18,
} as const;

export type ErrorCode = keyof typeof EXIT_CODES;

/** A problem found while validating a document, with the field path it concerns. */
export interface Problem {
  path: string;
  message: string;
}

export interface ErrorDetails {
  hint?: string;
  expected?: string;
  actual?: string;
  file?: string;
  package?: string;
  version?: string;
  field?: string;
  entry?: string;
  problems?: Problem[];
  /** The command already printed this failure in its --json document. */
  reportedAsJson?: boolean;
  cause?: unknown;
}

export class AamError extends Error {
  // fields, not parameter properties: type-strip safe
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, { cause: details.cause });
    this.name = code;
    this.code = code;
    this.details = details;
  }
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/** Turns anything thrown into an AamError; unknown errors become `Error` (exit 1). */
export function toAamError(e: unknown): AamError {
  if (e instanceof AamError) return e;
  // Deno refuses file, environment or network access it was not granted.
  if (e instanceof Error && (e.name === "NotCapable" || e.name === "PermissionDenied")) {
    return new AamError("Error", `Permission denied by Deno: ${e.message.split(", run again")[0]}`, {
      cause: e,
      hint: "run deno with the permissions this command needs (README: \"Running under Node, Bun and Deno\")",
    });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new AamError("Error", message || "Unexpected failure", {
    cause: e,
    hint: "run again with --verbose for details, or report this at the project's issue tracker",
  });
}
