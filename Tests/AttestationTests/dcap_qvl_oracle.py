"""Runs dcap-qvl (Phala-Network's independent Rust verifier, via its Python bindings) over a set
of quotes and prints, as JSON, what it parsed and whether it verified each one.

Usage: python dcap_qvl_oracle.py CASES.json > RESULTS.json

CASES.json is a list of {"name", "quote", "collateral" (path or null), "root_der" (path or
null), "now" (Unix seconds)}. The output is a list of {"name", "parsed", "fields" (when parsed as
TDX), "verified" (null when no collateral was given), "status", "error"}.
"""

import json
import sys

import dcap_qvl

FIELDS = [
    "tee_tcb_svn", "mr_seam", "mr_signer_seam", "seam_attributes", "td_attributes", "xfam",
    "mr_td", "mr_config_id", "mr_owner", "mr_owner_config", "rt_mr0", "rt_mr1", "rt_mr2",
    "rt_mr3", "report_data",
]
FIELDS_15 = ["tee_tcb_svn2", "mr_service_td"]


def parse(raw):
    quote = dcap_qvl.parse_quote(raw)
    header = quote.header
    fields = {
        "version": header.version,
        "attestation_key_type": header.attestation_key_type,
        "tee_type": header.tee_type,
        "qe_vendor_id": header.qe_vendor_id.hex(),
        "user_data": header.user_data.hex(),
    }
    if quote.is_tdx():
        report = quote.report
        for name in FIELDS + [f for f in FIELDS_15 if hasattr(report, f)]:
            fields[name] = getattr(report, name).hex()
        try:
            fields["fmspc"] = quote.fmspc().lower()
        except ValueError:
            pass
    return fields


def main():
    cases = json.load(open(sys.argv[1]))
    results = []
    for case in cases:
        raw = open(case["quote"], "rb").read()
        result = {"name": case["name"], "parsed": False, "verified": None, "status": None, "error": None}
        try:
            result["fields"] = parse(raw)
            result["parsed"] = True
        except ValueError as error:
            result["error"] = str(error)
        if case.get("collateral"):
            collateral = dcap_qvl.QuoteCollateralV3.from_json(open(case["collateral"]).read())
            root = open(case["root_der"], "rb").read()
            try:
                report = dcap_qvl.verify_with_root_ca(raw, collateral, root, int(case["now"]))
                result["verified"] = True
                result["status"] = report.status
            except ValueError as error:
                result["verified"] = False
                result["error"] = str(error)
        results.append(result)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
