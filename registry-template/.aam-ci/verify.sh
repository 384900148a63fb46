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
# Which aam: $AAM, or the pinned release tarball (see resolve_aam in lib.sh).
set -eu
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT INT TERM
. ./.aam-ci/lib.sh
resolve_aam
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

trust_keys "$keys" "$base"
$AAM config set security.on_signature_failure error --quiet
$AAM registry verify . --require-signature
