#!/usr/bin/env bash
# The command-line tools the README's examples use and the doc tests run (curl, python3 for the
# standard-library Python client), and Debian's chromium, which the web inspector's tests drive
# headless through playwright-core. Installs the Debian packages if missing. Needs root.
set -euo pipefail
missing=()
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "tools: $(curl --version | head -1 | cut -d' ' -f1-2), $(python3 --version), $(chromium --version 2>/dev/null | head -1)"
