/** Test support shared by the unit tests beside the code (never imported by the product). */
import { AamError } from "../../src/errors.ts";

function unexpected(e: unknown): never {
  throw e;
}

/** Runs `fn` (or awaits `p`) and answers the AamError it throws; fails if it throws nothing or something else. */
export function catchAamError(fn: () => unknown): AamError;
export function catchAamError(p: Promise<unknown>): Promise<AamError>;
export function catchAamError(x: (() => unknown) | Promise<unknown>): AamError | Promise<AamError> {
  if (typeof x === "function") {
    try {
      x();
    } catch (e) {
      return e instanceof AamError ? e : unexpected(e);
    }
    throw new Error("expected an AamError");
  }
  return x.then(
    () => {
      throw new Error("expected an AamError");
    },
    (e) => (e instanceof AamError ? e : unexpected(e)),
  );
}

export const catchAam = catchAamError;

/** The code of the AamError `fn` throws, or undefined when it throws nothing (other errors fail the test). */
export function errorCodeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof AamError ? e.code : unexpected(e);
  }
  return undefined;
}
