# Shared by verify.sh and attest.sh (sourced, not run): errors, the pinned aam, the trusted keys.
# The caller has set -eu, changed to the registry folder and made "$work", a temp folder it removes.

fail() {
  echo "error: $1" >&2
  [ -z "${2:-}" ] || echo "hint: $2" >&2
  exit "${3:-2}"
}

# Which aam: $AAM when set (e.g. AAM="node /path/to/aam/dist/cli.js"). Otherwise the release tarball
# at AAM_TARBALL_URL (an https:// URL, or a path in this repository such as tools/aam-0.1.0.tgz made
# with `npm pack`), which must have the SHA-256 in AAM_TARBALL_SHA256 before anything in it runs.
# Never `npx aam`: whoever owns that name on npm would run code in this CI.
resolve_aam() {
  [ -z "${AAM:-}" ] || return 0
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
}

# trust_keys <trusted-keys file> [<branch>]: trusts each fingerprint or key file listed (one per line,
# '#' starts a comment). With a branch, key files are read from origin's copy of that branch, so a
# pull request cannot swap their contents.
trust_keys() {
  sed -e 's/#.*//' -e 's/[[:space:]]//g' "$1" | while read -r key; do
    [ -n "$key" ] || continue
    if [ -n "${2:-}" ] && [ -n "$(printf '%s' "$key" | tr -d '0-9a-fA-F')" ]; then
      mkdir -p "$work/keyfiles"
      file="$work/keyfiles/$(printf '%s' "$key" | tr -c 'A-Za-z0-9._-' '_')"
      git show "refs/remotes/origin/$2:./$key" >"$file" 2>/dev/null || fail "$key (named in trusted-keys) is missing on the target branch \"$2\""
      key="$file"
    fi
    $AAM key trust "$key" --quiet
  done
}
