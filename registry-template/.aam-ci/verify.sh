#!/bin/sh
# Verifies this registry in CI: trusts exactly the keys listed in trusted-keys (never keys/ by presence),
# then checks every version of every package, the index and the audit log, requiring signatures.
#
# Which keys: on a pull (merge) request, the copy of trusted-keys (and of any key file it names) on
# the branch the request targets, never the request's own: a request that adds its own key and a
# package signed by it fails here; the new key counts once the change is merged. The target branch
# comes from GITHUB_BASE_REF (GitHub Actions, pull_request events) or
# CI_MERGE_REQUEST_TARGET_BRANCH_NAME (GitLab merge request pipelines), read from `origin`.
#
# Which aam: $AAM when set (e.g. AAM="node /path/to/aam/dist/cli.js"). Otherwise the release tarball
# at AAM_TARBALL_URL (an https:// URL, or a path in this repository such as tools/aam-0.1.0.tgz made
# with `npm pack`), which must have the SHA-256 in AAM_TARBALL_SHA256 before anything in it runs.
# Never `npx aam`: whoever owns that name on npm would run code in this CI.
set -eu
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT INT TERM
fail() {
  echo "error: $1" >&2
  [ -z "${2:-}" ] || echo "hint: $2" >&2
  exit "${3:-2}"
}

if [ -z "${AAM:-}" ]; then
  [ -n "${AAM_TARBALL_URL:-}" ] || fail "AAM_TARBALL_URL is not set" "set it (and AAM_TARBALL_SHA256) in the CI file to the aam release this registry trusts"
  sha="$(printf '%s' "${AAM_TARBALL_SHA256:-}" | tr 'A-F' 'a-f')"
  case "$sha" in
    *[!0-9a-f]*) fail "AAM_TARBALL_SHA256 is not a SHA-256 (64 hex digits): \"${AAM_TARBALL_SHA256:-}\"" "sha256sum <the tarball>" ;;
  esac
  [ "${#sha}" -eq 64 ] || fail "AAM_TARBALL_SHA256 is not a SHA-256 (64 hex digits): \"${AAM_TARBALL_SHA256:-}\"" "sha256sum <the tarball>"
  case "$AAM_TARBALL_URL" in
    https://*) curl -fsSL --proto '=https' --retry 3 -o "$work/aam.tgz" "$AAM_TARBALL_URL" || fail "cannot download $AAM_TARBALL_URL" "" 1 ;;
    *://*) fail "AAM_TARBALL_URL must be https:// or a path in this repository: $AAM_TARBALL_URL" ;;
    *) cp "$AAM_TARBALL_URL" "$work/aam.tgz" || fail "cannot read $AAM_TARBALL_URL" "" 1 ;;
  esac
  if command -v sha256sum >/dev/null 2>&1; then
    actual="$(sha256sum "$work/aam.tgz" | cut -d' ' -f1)"
  else
    actual="$(shasum -a 256 "$work/aam.tgz" | cut -d' ' -f1)"
  fi
  [ "$actual" = "$sha" ] || fail "the aam tarball $AAM_TARBALL_URL has SHA-256 $actual, not the pinned $sha; nothing from it was run" "if you meant to upgrade aam, update AAM_TARBALL_SHA256 in the CI file (reviewed like any trust change)" 1
  mkdir "$work/aam"
  tar -xzf "$work/aam.tgz" -C "$work/aam"
  [ -f "$work/aam/package/dist/cli.js" ] || fail "$AAM_TARBALL_URL is not an aam package tarball (no package/dist/cli.js)" "" 1
  AAM="node $work/aam/package/dist/cli.js"
fi
AAM_HOME="${AAM_HOME:-$work/home}"
export AAM_HOME

base="${GITHUB_BASE_REF:-${CI_MERGE_REQUEST_TARGET_BRANCH_NAME:-}}"
if [ -n "$base" ]; then
  ref="refs/remotes/origin/$base"
  git rev-parse -q --verify "$ref^{commit}" >/dev/null ||
    git fetch -q --no-tags --depth=1 origin "+refs/heads/$base:$ref" ||
    fail "cannot fetch the target branch \"$base\" from origin to read its trusted-keys" "" 1
  # `<rev>:./<path>` is relative to this folder, wherever the registry sits in the repository.
  git show "$ref:./trusted-keys" >"$work/trusted-keys" 2>/dev/null ||
    fail "trusted-keys is missing on the target branch \"$base\"" "merge a trusted-keys file to $base first: a request cannot choose who it is checked against"
  keys="$work/trusted-keys"
  echo "trusted keys: from $base (the request's own changes to trusted-keys take effect once merged)"
else
  [ -f trusted-keys ] || fail "trusted-keys is missing; list the fingerprints (or PEM files) of the keys allowed to sign"
  keys=trusted-keys
fi

# One fingerprint or public-key file per line; '#' starts a comment.
sed -e 's/#.*//' -e 's/[[:space:]]//g' "$keys" | while read -r key; do
  [ -n "$key" ] || continue
  if [ -n "$base" ] && [ -n "$(printf '%s' "$key" | tr -d '0-9a-fA-F')" ]; then
    # A key file: also the target branch's copy, so the request cannot swap its contents.
    mkdir -p "$work/keyfiles"
    file="$work/keyfiles/$(printf '%s' "$key" | tr -c 'A-Za-z0-9._-' '_')"
    git show "refs/remotes/origin/$base:./$key" >"$file" 2>/dev/null || fail "$key (named in trusted-keys) is missing on the target branch \"$base\""
    key="$file"
  fi
  $AAM key trust "$key" --quiet
done
$AAM config set security.on_signature_failure error --quiet
$AAM registry verify . --require-signature
