#!/bin/sh
# Verifies this registry in CI: trusts exactly the keys listed in ./trusted-keys (never keys/ by presence),
# then checks every version of every package, the index and the audit log, requiring signatures.
# AAM can be overridden (e.g. AAM="node /path/to/aam/dist/cli.js"); by default it runs `npx --yes aam`.
set -eu
cd "$(dirname "$0")/.."
AAM="${AAM:-npx --yes aam}"
AAM_HOME="${AAM_HOME:-$(mktemp -d)}"
export AAM_HOME
if [ ! -f trusted-keys ]; then
  echo "error: trusted-keys is missing; list the fingerprints (or PEM files) of the keys allowed to sign" >&2
  exit 2
fi
# One fingerprint or public-key file per line; '#' starts a comment.
sed -e 's/#.*//' -e 's/[[:space:]]//g' trusted-keys | while read -r key; do
  [ -n "$key" ] || continue
  $AAM key trust "$key" --quiet
done
$AAM config set security.on_signature_failure error --quiet
$AAM registry verify . --require-signature
