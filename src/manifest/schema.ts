/**
 * The `aam.yaml` manifest (SPEC §2): its type and field limits. Checking lives in validate.ts.
 */

export const ARTIFACT_KINDS = ["skills", "agents", "prompts", "instructions"] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

export interface Artifact {
  name: string;
  /** Relative to the package folder, `/`-separated, no `..`; a trailing `/` means a folder. */
  path: string;
  description?: string;
}

export interface Manifest {
  name: string;
  version: string;
  /** At most 256 characters; may be empty (validate warns). */
  description: string;
  author?: string;
  /** An SPDX identifier or expression, checked loosely. */
  license?: string;
  repository?: string;
  keywords?: string[];
  /** All four kinds are present after validation (a missing kind is an empty list). */
  artifacts: Record<ArtifactKind, Artifact[]>;
  /** Package name → range (SPEC §1). */
  dependencies?: Record<string, string>;
}

export const MANIFEST_FIELDS = [
  "name",
  "version",
  "description",
  "author",
  "license",
  "repository",
  "keywords",
  "artifacts",
  "dependencies",
] as const;

export const ARTIFACT_FIELDS = ["name", "path", "description"] as const;

export const LIMITS = {
  description: 256,
  author: 256,
  license: 256,
  repository: 2048,
  keyword: 64,
  artifactName: 64,
  artifactPath: 1024,
} as const;
