#!/usr/bin/env python3
"""Checks FHIR R4 inputs with a real FHIR implementation: every resource of every
`*.ndjson` (one a line) and `*.json` (a resource or a Bundle) under the given folders is
parsed by the `fhir.resources` R4 models (PyPI `fhir.resources`, R4B/R4 classes), which
enforce FHIR's cardinalities, types, id/code/dateTime formats and choice types.

Usage: check_fhir.py FOLDER...   (exit 0 when every resource is valid)
Lines or entries listed in a folder's `.invalid` file (one `FILE:LINE` a line) are the
fixtures' deliberate mistakes and are expected to fail instead.
"""
import json
import os
import sys

try:
    from fhir.resources.R4B import get_fhir_model_class   # fhir.resources >= 7: R4B alongside R5
except ImportError:  # older releases are R4 at the top level
    from fhir.resources import get_fhir_model_class


def validate(resource):
    cls = get_fhir_model_class(resource["resourceType"])
    if hasattr(cls, "model_validate"):
        cls.model_validate(resource)
    else:
        cls.parse_obj(resource)


def main(folders):
    checked = failed = 0
    for folder in folders:
        expected_bad = set()
        marker = os.path.join(folder, ".invalid")
        if os.path.exists(marker):
            expected_bad = {l.strip() for l in open(marker) if l.strip()}
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            items = []
            if name.endswith(".ndjson"):
                for n, line in enumerate(open(path, encoding="utf-8"), 1):
                    if line.strip():
                        items.append((f"{name}:{n}", line))
            elif name.endswith(".json"):
                items.append((f"{name}:1", open(path, encoding="utf-8").read()))
            for where, text in items:
                checked += 1
                try:
                    validate(json.loads(text))
                    ok = True
                    problem = ""
                except Exception as e:  # noqa: BLE001 — any failure is a finding
                    ok = False
                    problem = str(e).splitlines()[0][:300]
                if ok == (where in expected_bad):
                    failed += 1
                    what = "valid but listed in .invalid" if ok else f"not valid FHIR R4: {problem}"
                    print(f"{folder}/{where}: {what}")
    print(f"{checked} documents checked, {failed} unexpected")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
