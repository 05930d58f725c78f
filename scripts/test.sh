#!/usr/bin/env bash
# Every test of the project, Rust and Python: the command the README gives and CI runs.
#   unit, integration and doc tests of every crate; the Rust examples, run; the criterion
#   benchmarks, each run once as a test; the pytest suite against the built CLI.
# Installs what it needs (a virtualenv with pytest under .venv/) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test (unit, integration, doc tests)"
cargo test --workspace --locked

echo "== Rust examples"
cargo run --locked -q -p journeycost --example journey_in_code > /dev/null

echo "== benchmarks, once each as a test"
cargo bench --locked -p journeycost-benches -- --test

echo "== Python suite"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r tests/python/requirements.txt
JOURNEYCOST_BIN="$PWD/target/debug/journeycost" .venv/bin/python -m pytest -c tests/python/pytest.ini tests/python
