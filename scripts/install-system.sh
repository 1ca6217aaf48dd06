#!/usr/bin/env bash
# Installs the Debian packages the workbench needs, only when something is missing.
# fonts-liberation2: Liberation Serif 2.x (Times New Roman metrics, full Vietnamese coverage).
# libpango: WeasyPrint's text layout. libharfbuzz-subset0: WeasyPrint's font subsetter (without it WeasyPrint
# falls back to fontTools: slower, and to be unsupported). poppler-utils: pdftotext/pdffonts used by the tests.
# chromium: the headless browser the public page's test drives (Playwright, no browser download).
# libreoffice-writer-nogui: renders report.docx to PDF in its test (a Word file that opens and lays out).
set -euo pipefail
need=()
fc-list 2>/dev/null | grep -q "LiberationSerif-Regular" || need+=(fonts-liberation2 fontconfig)
ldconfig -p 2>/dev/null | grep -q "libpango-1.0" || need+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset" || need+=(libharfbuzz-subset0)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != "0" ]; then SUDO=sudo; else SUDO=; fi
  echo "Cài đặt gói hệ thống: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
