#!/usr/bin/env bash
# Writes the fixtures made with LibreOffice Calc (Debian libreoffice-calc-nogui), from
# libreoffice-source.csv. See README.md. Run from this folder.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
profile="-env:UserInstallation=file://$work/profile"
# Typed: columns 1-2 standard (ISO dates become date cells), 3 (person_id), 6-8 (codes, RW, RT)
# and 10-11 as text, so the NIK and leading zeros survive; 12 (result) standard: a number cell.
cp libreoffice-source.csv "$work/libreoffice-typed.csv"
soffice "$profile" --headless --convert-to xlsx:"Calc MS Excel 2007 XML" \
  --infilter="CSV:44,34,76,1,1/1/2/1/3/2/4/1/5/2/6/2/7/2/8/2/9/2/10/2/11/2/12/1" \
  --outdir . "$work/libreoffice-typed.csv"
# Default import: LibreOffice turns the NIK into a number (and keeps 15 digits).
cp libreoffice-source.csv "$work/libreoffice-default.csv"
soffice "$profile" --headless --convert-to xlsx:"Calc MS Excel 2007 XML" --outdir . "$work/libreoffice-default.csv"
# An Excel 97-2003 workbook (BIFF8), which pws refuses with "save it as .xlsx".
soffice "$profile" --headless --convert-to xls:"MS Excel 97" --outdir . "$work/libreoffice-default.csv"
mv libreoffice-default.xls legacy.xls
