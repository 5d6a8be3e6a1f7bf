#!/usr/bin/env bash
# Build the wheel, install it into a fresh venv and run the installed `advisor` on the sample
# that ships inside it. Proves packaging, data folders (rules/, reports/, sample_inventories/)
# included, on every `make test`.
set -euo pipefail
python=${1:-python3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$python" -m build --wheel --outdir "$work/dist" "$root" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; exit 1; }
wheel=$(ls "$work"/dist/*.whl)
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$wheel" 2>&1 | grep -v '^WARNING: Location' || true
"$work/venv/bin/python" -c "import advisor" || { echo "wheel-check: install failed"; exit 1; }

cd "$work"  # away from the checkout, so only the installed package can answer
"$work/venv/bin/advisor" --help >/dev/null
"$work/venv/bin/python" - <<'PY'
from advisor.resources import DATA_FOLDERS, data_path
for folder in DATA_FOLDERS:
    path = data_path(folder)
    assert "site-packages" in str(path), f"{folder} resolved outside the install: {path}"
print("wheel-check: data folders installed:", ", ".join(DATA_FOLDERS))
PY
sample=$("$work/venv/bin/python" -c "from advisor.resources import sample_inventory; print(sample_inventory())")
"$work/venv/bin/advisor" inspect --json "$sample" >"$work/inspect.json"
"$work/venv/bin/python" -c "
import json, sys
s = json.load(open(sys.argv[1]))
assert s['servers'] > 0, s
print(f\"wheel-check: installed advisor read {s['servers']} servers from {s['format']} sample\")
" "$work/inspect.json"
"$work/venv/bin/advisor" demo >/dev/null
echo "wheel-check: ok ($(basename "$wheel"))"
