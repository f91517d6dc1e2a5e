#!/usr/bin/env bash
# Regenerate the user guide's screenshots (docs/screenshots/*.png): the browser
# tests take them while they walk through the journeys (tests/browser). Needs
# Debian's chromium (apt-get install chromium chromium-l10n fonts-noto-cjk);
# never downloads a browser.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f docs/screenshots/*.png
LANMU_SCREENSHOTS=1 LANMU_REQUIRE_BROWSER=1 exec bash test.sh -q -p no:randomly tests/browser "$@"
