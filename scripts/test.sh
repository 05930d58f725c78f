#!/usr/bin/env bash
# Every test of the project, Rust and Python: the command the README gives and CI runs.
#   rustfmt and clippy (warnings are errors); unit, integration and doc tests of every crate
#   (with every fuzz seed and kept crash); a bounded, reproducible fuzzing of every reader;
#   the Rust examples, run; the criterion benchmarks, each run once as a test; ruff's lint and
#   format check; the pytest suite against the built CLI, including the HTML report rendered
#   in headless Chromium.
# Installs what it needs on first use: a virtualenv with pytest under .venv/, and Debian's
# chromium package when it is missing (as root).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== format: rustfmt (max_width 120, rustfmt.toml), the workspace and the cargo-fuzz project"
cargo fmt --all --check
(cd fuzz && cargo fmt --check)

echo "== cargo test (unit, integration, doc tests)"
cargo test --workspace --locked

echo "== clippy: every crate and target, warnings are errors (the lint set: Cargo.toml [workspace.lints])"
cargo clippy --workspace --all-targets --locked -q -- -D warnings

echo "== fuzzing, bounded: 1,000 mutated inputs for each reader (the same inputs on every run)"
# A failing input is kept in fuzz/regressions/<target>/ and replayed by cargo test from then on.
# Coverage-guided runs without a bound: fuzz/run.sh (cargo-fuzz, nightly), see fuzz/README.md.
cargo run --locked -q -p journeycost-fuzz -- --inputs 1000

echo "== Rust examples"
cargo run --locked -q -p journeycost --example journey_in_code > /dev/null
cargo run --locked -q -p journeycost --example appraise_a_scenario > /dev/null

echo "== benchmarks, once each as a test"
cargo bench --locked -p journeycost-benches -- --test

echo "== Chromium, for the report-in-a-browser test"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: Chromium is missing and cannot be installed here (needs root and apt-get); the browser test will fail" >&2
  fi
fi

echo "== Python suite"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r tests/python/requirements.txt
echo "== ruff: lint and format of every Python file (the rules: pyproject.toml [tool.ruff])"
.venv/bin/ruff check --no-cache .
.venv/bin/ruff format --no-cache --check .
echo "== the Python package, built into .venv (maturin develop)"
VIRTUAL_ENV="$PWD/.venv" .venv/bin/maturin develop -q
JOURNEYCOST_BIN="$PWD/target/debug/journeycost" .venv/bin/python -m pytest -c tests/python/pytest.ini tests/python

echo "== the wheel: built by pip from the clone (abi3: Python 3.9 and later), installed alone"
# A separate environment with no extras, so the installed wheel (not the editable build) is
# imported, and the core is shown to need no third-party package.
rm -rf target/wheel-check
python3 -m venv target/wheel-check/venv
target/wheel-check/venv/bin/python -m pip wheel -q --disable-pip-version-check --no-deps -w target/wheel-check .
wheel=$(ls target/wheel-check/journeycost-*.whl)
case "$wheel" in
  *-cp39-abi3-*) ;;
  *) echo "the wheel is not abi3 for Python 3.9+: $wheel" >&2; exit 1 ;;
esac
target/wheel-check/venv/bin/python -m pip install -q --disable-pip-version-check "$wheel"
(cd examples/anna && ../../target/wheel-check/venv/bin/python -c '
import decimal, journeycost
assert journeycost.Scenario.load("scenario.toml").compare().saving == decimal.Decimal("95376.6255")
print("installed wheel ok:", journeycost.__version__)
')
