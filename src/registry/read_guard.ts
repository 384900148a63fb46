/**
 * A check the reader applies to what it reads (SPEC §5a): a pinned registry's signed snapshot
 * (verify/pinned_snapshot.ts). Defined here so the reader needs no verification code; the commands
 * that read (search, info, install, verify, offline-prepare) attach one, writers never do.
 */
import type { Metadata } from "./metadata.ts";

/** A version as the pipeline reports it, as far as the guard needs it. */
export interface GuardedReport {
  package: string;
  version: string;
  signers: { valid: boolean; key_fingerprint?: string; identity?: string }[];
}

export interface ReadGuard {
  /** Checks the registry as a whole (its signed root); runs once per reader however often asked. */
  checkRoot(): Promise<void>;
  /** metadata.yaml as read (`text` its exact text) → the package's effective metadata. */
  metadata(meta: Metadata, text: string): Promise<Metadata>;
  /** metadata.yaml is missing: throws when the snapshot lists the package (a deletion). */
  missing(name: string): Promise<void>;
  /** Checks a version's `.sig` text (null: none) against what the guard vouches for. */
  sig(name: string, version: string, text: string | null, file: string): void;
  /** The pipeline's `attestation` input for a version whose metadata was read (undefined: none counts). */
  attestation(name: string, version: string): { registry: string; keys: string[]; listed: boolean } | undefined;
  /** The version was published after the snapshot (not attested yet); asked after its metadata was read. */
  isPending(name: string, version: string): boolean;
  /** Checks the pipeline's report against the snapshot; answers notes for it (a pending version). */
  afterVerify(report: GuardedReport, sigFile: string): string[];
}
