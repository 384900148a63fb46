#!/bin/sh
# Prints keys.tsv: per key file, its name, primary fingerprint, and the fingerprint of the (sub)key
# that made its signatures, as GnuPG reads them (no keyring needed). The test matrix takes its
# expectations from here, not from openpgp.js, the library under test.
cd "$(dirname "$0")"
for f in *.pub.asc; do
  n=${f%.pub.asc}
  primary=$(gpg --with-colons --import-options show-only --import "$f" 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')
  sig=$(ls "$n".*.asc | grep -v '\.pub\.asc$\|\.sec\.asc$' | head -1)
  signer=$(gpg --list-packets "$sig" 2>/dev/null | sed -n 's/.*(issuer fpr v4 \([0-9A-F]*\)).*/\1/p' | head -1)
  printf '%s\t%s\t%s\n' "$n" "$primary" "$signer"
done
