#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS (default 600) each, one after the other, on
# stable Rust (`--sanitizer none`). Seeds come from the demo data and, when present,
# ../shared/corpus/real (first 64 KiB of each file). Crashes land in
# fuzz/artifacts/TARGET/; turn each into a regression test (docs/FUZZING.md).
#
#   cargo install cargo-fuzz
#   scripts/fuzz.sh                 # all targets, 10 minutes each
#   FUZZ_SECONDS=60 scripts/fuzz.sh sql
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECONDS_EACH=${FUZZ_SECONDS:-600}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(scan_bytes sql rules validators)

seed() { # seed TARGET PREFIX-BYTE FILE
  local dir="corpus/$1" name
  mkdir -p "$dir"
  name=$(basename "$3" | tr -c 'A-Za-z0-9._-' '_')
  { [ -n "$2" ] && printf "\\x$2"; head -c 65536 "$3"; } > "$dir/seed-$name"
}

# scan_bytes: the first byte picks the file name (see fuzz_targets/scan_bytes.rs).
prefix_for() {
  case "$1" in
    *.csv) echo 00 ;; *.tsv) echo 01 ;; *.json) echo 02 ;; *.ndjson|*.jsonl) echo 03 ;;
    *.yml|*.yaml|*.example) echo 04 ;; *.toml) echo 05 ;; *.ini) echo 06 ;; *.env) echo 07 ;;
    *.properties) echo 08 ;; *.config) echo 09 ;; *.xml) echo 0a ;; *.log) echo 0b ;;
    *.gz) echo 0d ;; *) echo 0c ;;
  esac
}
sources=$(find ../demo ../tests -type f \( -name '*.sql' -o -name '*.csv' -o -name '*.json' -o -name '*.ndjson' -o -name '*.yml' -o -name '*.toml' -o -name '*.env' -o -name '*.xml' -o -name '*.log' -o -name '*.txt' -o -name '*.gz' \) 2>/dev/null || true)
if [ -d ../../shared/corpus/real ]; then
  sources="$sources $(find ../../shared/corpus/real -type f ! -name 'SHA256SUMS')"
fi
for f in $sources; do
  case "$f" in
    *.sql) seed sql 00 "$f" ;;
    *) seed scan_bytes "$(prefix_for "$f")" "$f" ;;
  esac
done
for f in ../rules/*.toml; do seed rules "" "$f"; done
mkdir -p corpus/validators
printf '536-22-8119' > corpus/validators/ssn
printf '4111 1111 1111 1111' > corpus/validators/card
printf 'GB82WEST12345698765432' > corpus/validators/iban
printf '2001:db8::1' > corpus/validators/ipv6

for t in "${TARGETS[@]}"; do
  echo "== fuzzing $t for ${SECONDS_EACH}s"
  cargo fuzz run --sanitizer none "$t" -- -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1
done
