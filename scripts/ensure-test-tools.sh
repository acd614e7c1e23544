#!/usr/bin/env bash
# Install what the browser, accessibility and HTML-validity tests drive, if it is missing:
# Debian's chromium (never Playwright's own browser download) and the npm packages
# axe-core and vnu-jar (package.json); LibreOffice Calc for the CSV spreadsheet test;
# nginx (and openssl, for its self-signed certificate) for tests/deploy/test_proxy.py;
# GNU gettext for the translation catalogue tests.
# Fails loudly: those tests must run, not skip.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests..."
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if ! command -v java >/dev/null 2>&1; then
    echo "Installing a Java runtime for the Nu Html Checker..."
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jre-headless >/dev/null
fi
if ! command -v soffice >/dev/null 2>&1; then
    # tests/test_csv_spreadsheet.py opens the CSV export in a real spreadsheet (~40 s).
    echo "Installing LibreOffice Calc (headless) for the spreadsheet test..."
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libreoffice-calc-nogui >/dev/null
fi
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ] || ! command -v openssl >/dev/null 2>&1; then
    # tests/deploy/test_proxy.py runs deploy/nginx.conf in front of gunicorn. The
    # package's own service is never started by the tests (nor needed).
    echo "Installing Debian's nginx for the reverse-proxy tests..."
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx openssl >/dev/null
fi
if ! command -v xgettext >/dev/null 2>&1 || ! command -v msgfmt >/dev/null 2>&1; then
    # tests/i18n/test_catalogues.py runs makemessages (xgettext) over the project;
    # `make messages` compiles the catalogues with msgfmt.
    echo "Installing GNU gettext for the translation catalogue tests..."
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq gettext >/dev/null
fi
if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ]; then
    echo "Installing axe-core and vnu-jar from npm..."
    npm ci --no-audit --no-fund --silent
fi
