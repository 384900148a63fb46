#!/bin/sh
# Makes the OpenPGP fixtures in this folder ONCE, with real GnuPG and Sequoia (sq). CI never runs
# this: the keys, signatures and the package they sign are checked in (test/e2e/openpgp_matrix_test.ts
# reads them). Run from the repository root after `node scripts/build.mjs`:
#   sh test/vectors/openpgp-keys/make.sh
# Made with: gpg (GnuPG) 2.2.40 / libgcrypt 1.10.1, sq 0.27.0 (sequoia-openpgp 1.12.0, Nettle),
# Debian 12 (`apt-get install -y sq`). Every secret key here is a test key without a passphrase.
set -eu
OUT=test/vectors/openpgp-keys
T=$(mktemp -d)
export GNUPGHOME="$T/gnupg"
mkdir -m 700 "$GNUPGHOME"
# Keys and signatures carry this fixed time, so the signatures' signed_at is stable.
AT=20260101T000000
G="gpg --batch --no-tty --pinentry-mode loopback --passphrase="
GT="$G --faked-system-time ${AT}!"

# The package every signature is over: one fixed .aam (packed once, checked in).
mkdir -p "$T/pkg/prompts"
printf 'name: "@acme/matrix"\nversion: "1.0.0"\ndescription: "OpenPGP matrix fixture"\nkeywords: [test]\nartifacts:\n  skills: []\n  agents: []\n  prompts:\n    - {name: hello, path: prompts/hello.md, description: "Says hello"}\n  instructions: []\n' > "$T/pkg/aam.yaml"
printf '# Hello from the OpenPGP matrix\n' > "$T/pkg/prompts/hello.md"
(cd "$T" && AAM_HOME="$T/aam" node "$OLDPWD/dist/cli.js" pkg pack pkg >/dev/null)
cp "$T/pkg/dist/acme--matrix-1.0.0.aam" "$OUT/package.aam"

# name  algo  (each: a primary key that signs; `subkey` is a certify-only primary with a signing subkey)
good="rsa2048 rsa4096 ed25519 nistp256 nistp384 nistp521 brainpoolP256r1 brainpoolP384r1 brainpoolP512r1"
# Keys that can never verify under AAM's rules (openpgp.js defaults: RSA < 2047 bits, DSA, secp256k1 refused).
weak="rsa1024 dsa2048 secp256k1"
for name in $good $weak; do
  $GT --quick-gen-key "$name <$name@example.org>" "$name" sign never
done
$GT --quick-gen-key "subkey <subkey@example.org>" ed25519 cert never
SUBFP=$(gpg --with-colons --list-keys subkey@example.org | awk -F: '/^fpr/ {print $10; exit}')
$GT --quick-add-key "$SUBFP" rsa3072 sign never
# sha1only: RSA 3072 whose self-signatures are SHA-1 and whose digest preferences name only SHA-1.
$GT --cert-digest-algo SHA1 --default-preference-list "SHA1 AES256 ZLIB" --quick-gen-key "sha1only <sha1only@example.org>" rsa3072 sign never

for name in $good subkey $weak sha1only; do
  gpg --armor --export "$name@example.org" > "$OUT/$name.pub.asc"
  $G --armor --export-secret-keys "$name@example.org" > "$OUT/$name.sec.asc"
  for d in SHA256 SHA384 SHA512 SHA1; do
    # gpg refuses a digest shorter than an ECDSA/DSA key's order: that pair is simply not made.
    $GT --armor --digest-algo "$d" --local-user "$name@example.org" --detach-sign --output "$OUT/$name.$d.asc" "$OUT/package.aam" 2>/dev/null || echo "gpg: no $d signature for $name"
  done
done

# Sequoia: its own key layouts (a certify-only primary with signing, encryption and auth subkeys).
for suite in cv25519 rsa3k; do
  sq key generate --creation-time "$AT" --expires never --userid "sq-$suite <sq-$suite@example.org>" --cipher-suite "$suite" --export "$T/sq-$suite.pgp"
  sq armor < "$T/sq-$suite.pgp" > "$OUT/sq-$suite.sec.asc"
  sq key extract-cert < "$T/sq-$suite.pgp" | sq armor --label cert > "$OUT/sq-$suite.pub.asc"
  sq sign --detached --time "$AT" --signer-key "$T/sq-$suite.pgp" "$OUT/package.aam" > "$OUT/sq-$suite.default.asc"
done

# sha1-2022/sha1old: the same kind of key with self-signatures from 2022, before sequoia-openpgp
# 1.12's SHA-1 cutoff (2023-02-01); Sequoia refuses it all the same (key_rules_test.ts). Not in
# keys.tsv: the matrix is the keys in this folder.
mkdir -p "$OUT/sha1-2022"
G22="$G --faked-system-time 20220101T000000!"
$G22 --cert-digest-algo SHA1 --default-preference-list "SHA1 AES256 ZLIB" --quick-gen-key "sha1old <sha1old@example.org>" rsa3072 sign never
gpg --armor --export sha1old@example.org > "$OUT/sha1-2022/sha1old.pub.asc"
$G22 --armor --digest-algo SHA256 --local-user sha1old@example.org --detach-sign --output "$OUT/sha1-2022/sha1old.SHA256.asc" "$OUT/package.aam"

gpgconf --kill gpg-agent
rm -rf "$T"
sh "$OUT/keys_tsv.sh" > "$OUT/keys.tsv"
