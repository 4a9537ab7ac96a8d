#!/usr/bin/env bash
# Learns the default codebook's model (codebooks/rights-realization.learned.tsv) from
# the hand-coded interviews in data-train/, with the default codebook's rules, then
# rebuilds tamlil so the new model is embedded. Run it after editing the rules: the
# model weighs the codes they give.
#
# usage: scripts/learn_default.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
cargo build --release --quiet
bin=target/release/tamlil
$bin segment --corpus data-train --out "$tmp/units.csv"
# The rules of the codebook on disk (the embedded one may be older than the file).
$bin learn --units "$tmp/units.csv" data-train/coded.csv \
  --codebook codebooks/rights-realization.toml \
  --out codebooks/rights-realization.learned.tsv
cargo build --release --quiet
