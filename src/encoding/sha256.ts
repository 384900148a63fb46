/** `sha256:<lowercase hex>` checksums (SPEC §3), over bytes. */
import { createSha256 } from "../runtime/index.ts";

export const CHECKSUM_RE = /^sha256:[0-9a-f]{64}$/;

export function isChecksum(s: unknown): s is string {
  return typeof s === "string" && CHECKSUM_RE.test(s);
}

export function sha256Hex(data: Uint8Array): string {
  return createSha256().update(data).digestHex();
}

export function checksumOf(data: Uint8Array): string {
  return `sha256:${sha256Hex(data)}`;
}
