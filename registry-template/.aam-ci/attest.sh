#!/bin/sh
# Attests this registry on its main branch (SPEC §5a): checks every version published since the last
# snapshot under the registry's policy, adds the registry's attestation to each one that passes,
# signs a new snapshot, then commits and pushes the result. Run by CI on a push to the main branch
# (or by hand by a maintainer), after verify.sh has passed.
#
# The attestation key: an Ed25519 private key in PKCS#8 PEM (`openssl genpkey -algorithm ed25519`),
# from the CI secret AAM_ATTEST_KEY (the PEM text) or the file named by AAM_ATTEST_KEY_FILE (a
# GitLab "file" variable, or a path on a maintainer's machine). It is imported into a temporary
# AAM_HOME, removed on exit.
#
# Refuses to run on a pull (merge) request, and on any branch but AAM_ATTEST_BRANCH (default: the
# GitLab default branch, else "main"): an attestation vouches for what was reviewed and merged.
# Does nothing when nothing is pending, unless the snapshot expires within AAM_ATTEST_RENEW_DAYS
# (default 7) days; schedule a weekly run so a quiet registry's snapshot never expires.
# A push refused because the branch moved is retried on the new head (AAM_ATTEST_TRIES, default 3).
#
# Which keys the check trusts: exactly those in trusted-keys (as verify.sh does). Which aam: $AAM,
# or the pinned release tarball (see resolve_aam in lib.sh).
set -eu
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT INT TERM
. ./.aam-ci/lib.sh

main="${AAM_ATTEST_BRANCH:-${CI_DEFAULT_BRANCH:-main}}"
remote="${AAM_ATTEST_REMOTE:-origin}"
if [ -n "${GITHUB_BASE_REF:-}" ] || [ -n "${CI_MERGE_REQUEST_IID:-}" ] || [ "${CI_PIPELINE_SOURCE:-}" = merge_request_event ] ||
  [ "${GITHUB_EVENT_NAME:-}" = pull_request ] || [ "${GITHUB_EVENT_NAME:-}" = pull_request_target ]; then
  fail "refusing to attest in a pull (merge) request" "attestation runs on $main after the request is merged" 15
fi
if [ -n "${GITHUB_ACTIONS:-}" ]; then
  branch="${GITHUB_REF_NAME:-}"
elif [ -n "${GITLAB_CI:-}" ]; then
  branch="${CI_COMMIT_BRANCH:-}"
else
  branch="$(git symbolic-ref --short -q HEAD || true)"
fi
[ "$branch" = "$main" ] || fail "refusing to attest on branch \"${branch:-(detached)}\": only on $main" "merge to $main first; set AAM_ATTEST_BRANCH if the main branch has another name" 15

if [ -n "${AAM_ATTEST_KEY:-}" ]; then
  (umask 077 && printf '%s\n' "$AAM_ATTEST_KEY" >"$work/attest.pem")
  key_file="$work/attest.pem"
else
  key_file="${AAM_ATTEST_KEY_FILE:-}"
  [ -n "$key_file" ] || fail "no attestation key: set AAM_ATTEST_KEY (the PEM text) or AAM_ATTEST_KEY_FILE (its path)" "openssl genpkey -algorithm ed25519 -out attest.pem, then store it as a CI secret"
  [ -f "$key_file" ] || fail "AAM_ATTEST_KEY_FILE names no file: $key_file" "" 3
fi
[ -f trusted-keys ] || fail "trusted-keys is missing; list the fingerprints (or PEM files) of the keys allowed to sign"

resolve_aam
AAM_HOME="$work/home"
export AAM_HOME
# The key is stored encrypted in the temporary home, under a passphrase that dies with it.
AAM_PASSPHRASE="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
export AAM_PASSPHRASE
$AAM key import "$key_file" --name registry-attest --quiet
trust_keys trusted-keys
$AAM config set security.on_signature_failure error --quiet

# "snapshot: serial N, expires <time>, signed by ...; K pending version(s)..." (registry verify).
due() {
  report="$($AAM registry verify .)" || fail "the registry does not verify; fix $main before attesting" "" 1
  summary="$(printf '%s\n' "$report" | sed -n 's/^snapshot: //p')"
  [ -n "$summary" ] || return 0
  pending="$(printf '%s' "$summary" | sed -n 's/.*; \([0-9][0-9]*\) pending version.*/\1/p')"
  [ "${pending:-0}" -eq 0 ] || return 0
  expires="$(printf '%s' "$summary" | sed -n 's/.*expires \([^,]*\),.*/\1/p')"
  days="${AAM_ATTEST_RENEW_DAYS:-7}"
  soon="$(date -u -d "+$days days" +%Y-%m-%dT%H:%M:%S 2>/dev/null || date -u -v+"$days"d +%Y-%m-%dT%H:%M:%S)"
  # ISO 8601 UTC times compare as strings.
  [ "$(printf '%s\n%s\n' "$expires" "$soon" | sort | head -n 1)" = "$expires" ]
}

tries="${AAM_ATTEST_TRIES:-3}"
n=0
while :; do
  n=$((n + 1))
  if ! due; then
    echo "nothing to attest: no pending version, and the snapshot is not due for renewal"
    exit 0
  fi
  rc=0
  $AAM registry attest --registry . --key registry-attest --all || rc=$?
  # Versions that fail are reported above and left out; the snapshot still lists the others.
  if [ -z "$(git status --porcelain -- .)" ]; then
    [ "$rc" -ne 0 ] || rc=1
    fail "registry attest changed nothing (exit $rc); see its message above" "" "$rc"
  fi
  serial="$(sed -n 's/.*"serial": *\([0-9][0-9]*\).*/\1/p' snapshot.json | head -n 1)"
  git add -A .
  git -c user.name="${AAM_ATTEST_GIT_NAME:-aam registry attest}" -c user.email="${AAM_ATTEST_GIT_EMAIL:-aam-attest@invalid}" \
    commit -q -m "aam: registry attest (snapshot $serial)"
  if git push -q "$remote" "HEAD:refs/heads/$main" 2>"$work/push.err"; then
    echo "pushed snapshot $serial to $main"
    exit "$rc"
  fi
  if [ "$n" -ge "$tries" ]; then
    cat "$work/push.err" >&2
    fail "could not push snapshot $serial to $main after $n tries" "run it again" 1
  fi
  # Someone pushed first (or the push failed for a moment): attest again on the new head.
  echo "the push of snapshot $serial was refused; attesting again on the new head of $main"
  git fetch -q "$remote" "$main"
  git reset -q --hard FETCH_HEAD
  sleep "$n"
done
