#!/usr/bin/env bash
# Whole-process benchmark: the disk/page-cache ceiling (`cat`), the text-search anchor
# (`rg --count-matches` with an ASCII alternation of the default rules' value
# patterns) and piiscan with the full default pack (JSON Lines to /dev/null; with the
# default cap of 10,000 listed findings per location, and with every finding
# written), on 1 and 2 threads, over deterministic inputs of each kind. Prints hyperfine tables and peak
# RSS (GNU time). docs/PERFORMANCE.md records the results for this machine.
#
#   scripts/bench.sh                 # 1 GiB inputs in $BENCH_DIR (default /tmp/piiscan-bench)
#   SIZE_MIB=256 scripts/bench.sh
#   RUNS=1 WARMUP=0 scripts/bench.sh  # quicker, noisier
#   INPUTS_ONLY=1 scripts/bench.sh    # generate the inputs and stop
#   PAIRS=10 scripts/bench.sh         # also 10 interleaved rounds of `rg -j2` and
#                                     # piiscan `-j2` per input: the ratio of each
#                                     # round and their median, which the machine's
#                                     # drift between hyperfine's batches does not bias
#   PAIRS=10 HYPERFINE=0 scripts/bench.sh   # the interleaved rounds only
#
# Needs python3, hyperfine, ripgrep and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-1024}
DIR=${BENCH_DIR:-/tmp/piiscan-bench}
mkdir -p "$DIR"
cargo build --release --quiet
BIN=$PWD/target/release/piiscan

# Inputs, generated once per size (deterministic, seed 42).
mixed="$DIR/mixed-${SIZE_MIB}m.log"
numeric="$DIR/numeric-${SIZE_MIB}m.csv"
base64="$DIR/base64-${SIZE_MIB}m.txt"
# Written under a temporary name, so an interrupted run leaves no partial input.
[ -f "$mixed" ] || { python3 scripts/gen_mixed.py "$mixed.part" "$SIZE_MIB" && mv "$mixed.part" "$mixed"; }
[ -f "$numeric" ] || python3 - "$numeric.part" "$SIZE_MIB" <<'PY'
import random, sys
out, size = sys.argv[1], int(sys.argv[2]) << 20
r = random.Random(42)
with open(out, "w") as f:
    f.write("order_id,quantity,amount_cents,warehouse,timestamp\n")
    n = 0
    while n < size:
        line = "%d,%d,%d,%d,%d\n" % (r.randrange(10**9), r.randrange(100), r.randrange(10**7), r.randrange(1000), 1700000000 + r.randrange(10**8))
        f.write(line)
        n += len(line)
PY
[ -f "$numeric" ] || mv "$numeric.part" "$numeric"
[ -f "$base64" ] || python3 - "$base64.part" "$SIZE_MIB" <<'PY'
import base64, random, sys
out, size = sys.argv[1], int(sys.argv[2]) << 20
r = random.Random(42)
with open(out, "w") as f:
    n = 0
    while n < size:
        blob = base64.b64encode(r.randbytes(57 * 1000)).decode()
        for i in range(0, len(blob), 76):
            f.write(blob[i:i + 76] + "\n")
        n += len(blob) + len(blob) // 76
PY
[ -f "$base64" ] || mv "$base64.part" "$base64"

[ -z "${INPUTS_ONLY:-}" ] || exit 0

# The default rules' value patterns as one ASCII alternation for ripgrep.
pattern=$("$BIN" rules list --json | python3 -c '
import json, sys
pats = [p for r in json.load(sys.stdin) for p in ([r["pattern"]] if r.get("pattern") else []) + (r.get("patterns") or [])]
print("%d patterns" % len(pats), file=sys.stderr)
print("|".join("(?:%s)" % p for p in pats))' 2>"$DIR/pattern-count")
echo "rg alternation: $(cat "$DIR/pattern-count")"

# Interleaved rounds: `rg -j2` then piiscan `-j2`, then the other way round, so that
# neither always runs on the warmer or the quieter machine.
pairs() {
  python3 - "$1" "$2" "$pattern" "$BIN" <<'PY'
import statistics, subprocess, sys, time
path, rounds, pattern, binary = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rg = ["rg", "-j2", "--no-unicode", "-a", "--count-matches", "-e", pattern, path]
pii = [binary, "scan", path, "-j2", "-f", "jsonl", "-o", "/dev/null", "--fail-on", "never", "--no-config"]
def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t
ratios = []
for i in range(rounds):
    if i % 2 == 0:
        a = timed(rg); b = timed(pii)
    else:
        b = timed(pii); a = timed(rg)
    ratios.append(a / b)
    print(f"round {i + 1}: rg -j2 {a:.2f} s, piiscan -j2 {b:.2f} s, {a / b:.2f}x")
print(f"piiscan -j2 vs rg -j2 over {rounds} interleaved rounds: median {statistics.median(ratios):.2f}x "
      f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x)")
PY
}

for input in "$mixed" "$numeric" "$base64"; do
  echo
  echo "== $(basename "$input") ($(du -h "$input" | cut -f1))"
  if [ "${PAIRS:-0}" -gt 0 ]; then
    pairs "$input" "$PAIRS"
  fi
  [ "${HYPERFINE:-1}" = 0 ] && continue
  hyperfine --warmup "${WARMUP:-1}" --runs "${RUNS:-3}" -i --export-markdown "$DIR/$(basename "$input").md" \
    -n cat "cat $input > /dev/null" \
    -n "rg -j1" "rg -j1 --no-unicode -a --count-matches -e '$pattern' $input" \
    -n "rg -j2" "rg -j2 --no-unicode -a --count-matches -e '$pattern' $input" \
    -n "piiscan -j1" "$BIN scan $input -j1 -f jsonl -o /dev/null --fail-on never --no-config" \
    -n "piiscan -j2" "$BIN scan $input -j2 -f jsonl -o /dev/null --fail-on never --no-config" \
    -n "piiscan -j2, every finding written" "$BIN scan $input -j2 -f jsonl -o /dev/null --fail-on never --no-config --max-findings-per-location 0"
  for t in 1 2; do
    /usr/bin/time -f "piiscan -j$t peak RSS: %M KiB" "$BIN" scan "$input" -j"$t" -f jsonl -o /dev/null --fail-on never --no-config --max-findings-per-location 0 || true
  done
done
