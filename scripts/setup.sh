#!/usr/bin/env bash
# Prepare this checkout for building (and, with "test", for testing):
#   1. the Debian packages WeasyPrint, Graphviz, poppler and epubcheck need;
#   2. a .venv with notebuilder installed into it.
# As root the packages are installed with apt-get; otherwise the exact command is printed and we stop.
set -euo pipefail
cd "$(dirname "$0")/.."

purpose=${1:-build}
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 graphviz fonts-noto-core fonts-ipafont-gothic)
if [ "$purpose" = test ]; then
    packages+=(poppler-utils default-jre-headless chromium)  # chromium: the preview and Ace tests
    command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)  # DAISY Ace, the EPUB accessibility checker
fi
python=${PYTHON:-python3}
if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    packages+=(python3-venv)
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "setup: installing ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "setup: missing system packages. Run this, then try again:" >&2
        echo "    sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
fi

stamp=.venv/.installed-$purpose
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    [ -x .venv/bin/python ] || "$python" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null
    if [ "$purpose" = test ]; then
        .venv/bin/python -m pip install -q -e '.[test]'
    else
        .venv/bin/python -m pip install -q -e .
    fi
    touch "$stamp"
fi
# notebuilder's own bytecode, compiled now (again only for changed files): an editable
# install leaves it to the first import, and with PYTHONDONTWRITEBYTECODE set every build
# would compile it all again (0.05 s of each build's start).
.venv/bin/python -m compileall -q src >/dev/null

# DAISY Ace checks the EPUB's accessibility in the tests. Its install scripts would fetch an
# Electron runner, which fails offline; Ace runs on Debian's chromium instead.
if [ "$purpose" = test ] && [ ! -x .venv/ace/node_modules/.bin/ace-cli ] && command -v npm >/dev/null 2>&1; then
    mkdir -p .venv/ace
    npm install --prefix .venv/ace --ignore-scripts --no-audit --no-fund -q @daisy/ace-cli >/dev/null 2>&1 \
        || echo "setup: could not install DAISY Ace (npm); its test will fail" >&2
fi
