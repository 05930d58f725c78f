#!/usr/bin/env bash
# Coverage-guided fuzzing of every reader with cargo-fuzz (libFuzzer), for a bounded time each.
#   fuzz/run.sh [SECONDS per target, default 60] [TARGET...]
# Needs the nightly toolchain and cargo-fuzz (cargo install cargo-fuzz). Starts each target from
# its seeds (fuzz/seeds/<target>/, never written) and a working corpus (fuzz/corpus/<target>/,
# ignored by git); a crash found is copied to fuzz/regressions/<target>/, where the test
# command replays it for ever (crates/journeycost-fuzz/tests/replay.rs). Exit 1 if one was found.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
found=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t" "regressions/$t"
  echo "== $t, ${seconds}s"
  # A run stops at its first crash; its input is kept under artifacts/ and copied below.
  if ! cargo +nightly fuzz run "$t" "corpus/$t" "seeds/$t" -- \
      -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=4096 -malloc_limit_mb=2048 -timeout=20 \
      -print_final_stats=1 2>"corpus/$t.log"; then
    found=1
    tail -n 40 "corpus/$t.log"
  fi
  for crash in artifacts/"$t"/*; do
    [ -f "$crash" ] || continue
    name=$(sha256sum "$crash" | cut -c1-32)
    mv "$crash" "regressions/$t/$name"
    echo "kept regressions/$t/$name"
  done
  rmdir "regressions/$t" 2>/dev/null || true
done
exit $found
