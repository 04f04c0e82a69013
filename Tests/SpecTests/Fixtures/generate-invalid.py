#!/usr/bin/env python3
"""Regenerates the invalid-fleet corpus: each case edits a small valid fleet and marks with @@
where the diagnostic must point. The first line of every file records the expectation:
  # expect: <rule> <line>:<column>
Run from the repository root: python3 Tests/SpecTests/Fixtures/generate-invalid.py"""
import os

BASE = """apiVersion: devopsdefender.com/v1
kind: Fleet
metadata:
  name: acme
  owner:
    github: acme-corp
providers:
  gce:
    project: acme-prod
    zone: us-central1-c
    image:
      family: easyenclave-stable
      project: easyenclave
  cloudflare:
    accountId: 0123456789abcdef0123456789abcdef
    zoneId: fedcba9876543210fedcba9876543210
    domain: acme.dev
    apiToken: {env: CF_TOKEN}
attestation:
  policy:
    mrtd:
      - 935be7742dd89748a84aa51826cd06d1ca82ecf2a2e1ff6ef8f68d2f85e4cb5c3e2e8e1d9b3c10f7ae0aa7f24e9c9d5e
environments:
  production:
    hostname: app.{domain}
    pools:
      - name: web
        count: 2
        workloads: [hello-world]
  staging:
    from: production
    hostname: staging.{domain}
previews:
  enabled: true
  from: staging
workloads:
  hello-world:
    cmd: [hello, --port, "9000"]
    env:
      - LOG_LEVEL=info
"""

CASES = [
    ("unknown-top-level-key", "unknown-key", "kind: Fleet\n", "kind: Fleet\n@@extra: 1\n"),
    ("unknown-key-typo", "unknown-key", "        count: 2\n", "        count: 2\n        @@machinetype: c3-standard-4\n"),
    ("unknown-key-in-workload", "unknown-key", "    cmd: [hello", "    @@command: [x]\n    cmd: [hello"),
    ("merge-key", "unknown-key", "  staging:\n    from: production\n", "  staging:\n    @@<<: {from: production}\n    from: production\n"),
    ("duplicate-key", "duplicate-key", "    zone: us-central1-c\n", "    zone: us-central1-c\n    @@project: other-project\n"),
    ("duplicate-environment", "duplicate-key", "previews:", "  @@production:\n    hostname: prod2.{domain}\npreviews:"),
    ("missing-apiversion", "missing-field", "apiVersion: devopsdefender.com/v1\n", "@@"),
    ("missing-metadata-name", "missing-field", "metadata:\n  name: acme\n", "@@metadata:\n"),
    ("missing-pool-name", "missing-field", "      - name: web\n        count: 2\n", "      - @@count: 2\n"),
    ("missing-image-family", "missing-field", "    image:\n      family: easyenclave-stable\n", "    @@image:\n"),
    ("wrong-api-version", "unsupported-version", "apiVersion: devopsdefender.com/v1", "apiVersion: @@devopsdefender.com/v2"),
    ("wrong-kind", "unsupported-version", "kind: Fleet", "kind: @@Deployment"),
    ("count-as-string", "type-mismatch", "count: 2", "count: @@\"2\""),
    ("count-out-of-range", "out-of-range", "count: 2", "count: @@5000"),
    ("count-negative", "out-of-range", "count: 2", "count: @@-1"),
    ("count-hexadecimal", "number-format", "count: 2", "count: @@0x3"),
    ("count-octal-prefix", "number-format", "count: 2", "count: @@0o3"),
    ("count-plus-sign", "number-format", "count: 2", "count: @@+3"),
    ("count-leading-zero", "number-format", "count: 2", "count: @@017"),
    ("bidi-in-pool-name", "bidi-control", "name: web", "name: we@@\u202eb"),
    ("bidi-in-env-value", "bidi-control", "      - LOG_LEVEL=info", "      - LOG_LEVEL=in@@\u2067fo"),
    ("bidi-in-comment", "bidi-control", "kind: Fleet\n", "kind: Fleet  # ok @@\u202d\n"),
    (
        "environment-expands-too-far",
        "expansion-limit",
        "  production:\n    hostname: app.{domain}\n    pools:\n",
        "  @@production:\n    hostname: app.{domain}\n    pools:\n      - {name: p0, count: 500}\n      - {name: p1, count: 500}\n      - {name: p2, count: 500}\n      - {name: p3, count: 500}\n      - {name: p4, count: 500}\n      - {name: p5, count: 500}\n      - {name: p6, count: 500}\n      - {name: p7, count: 500}\n      - {name: p8, count: 500}\n      - {name: p9, count: 500}\n      - {name: p10, count: 500}\n      - {name: p11, count: 500}\n      - {name: p12, count: 500}\n      - {name: p13, count: 500}\n      - {name: p14, count: 500}\n      - {name: p15, count: 500}\n      - {name: p16, count: 500}\n      - {name: p17, count: 500}\n      - {name: p18, count: 500}\n      - {name: p19, count: 500}\n      - {name: p20, count: 500}\n",
    ),
    ("pools-not-a-list", "type-mismatch", "    pools:\n      - name: web\n        count: 2\n        workloads: [hello-world]\n", "    pools: @@web\n"),
    ("tty-yes", "type-mismatch", "    cmd: [hello", "    tty: @@yes\n    cmd: [hello"),
    ("project-number", "type-mismatch", "project: acme-prod", "project: @@123456"),
    ("empty-value", "type-mismatch", "    zone: us-central1-c", "    zone:@@"),
    ("bad-environment-name", "invalid-name", "  staging:\n", "  @@Staging_Env:\n"),
    ("environment-name-too-long", "invalid-name", "  staging:\n", "  @@" + "s" * 41 + ":\n"),
    ("bad-pool-name", "invalid-name", "name: web", "name: @@Web_Pool"),
    ("bad-gce-project", "invalid-name", "project: acme-prod", "project: @@Acme"),
    ("bad-zone", "invalid-name", "zone: us-central1-c", "zone: @@uscentral"),
    ("bad-label-key", "invalid-name", "  owner:\n", "  labels:\n    @@Team: platform\n  owner:\n"),
    ("bad-label-value", "invalid-name", "  owner:\n", "  labels:\n    team: @@Platform!\n  owner:\n"),
    ("reserved-label-key", "invalid-name", "  owner:\n", "  labels:\n    @@dd-env: x\n  owner:\n"),
    ("reserved-pool-name", "invalid-name", "name: web", "name: @@cp"),
    ("bad-cloudflare-id", "invalid-name", "accountId: 0123456789abcdef0123456789abcdef", "accountId: @@0123456789ABCDEF"),
    ("short-mrtd", "malformed-measurement", "      - 935be7742dd89748a84aa51826cd06d1ca82ecf2a2e1ff6ef8f68d2f85e4cb5c3e2e8e1d9b3c10f7ae0aa7f24e9c9d5e", "      - @@935be7742dd89748"),
    ("mrtd-not-hex", "malformed-measurement", "      - 935be7742dd89748a84aa51826cd06d1ca82ecf2a2e1ff6ef8f68d2f85e4cb5c3e2e8e1d9b3c10f7ae0aa7f24e9c9d5e", "      - @@zz5be7742dd89748a84aa51826cd06d1ca82ecf2a2e1ff6ef8f68d2f85e4cb5c3e2e8e1d9b3c10f7ae0aa7f24e9c9d5e"),
    ("bad-rtmr", "malformed-measurement", "attestation:\n  policy:\n", "attestation:\n  policy:\n    rtmr1: [@@abcd]\n"),
    ("bad-tcb-svn", "malformed-measurement", "attestation:\n  policy:\n", "attestation:\n  policy:\n    minTeeTcbSvn: @@\"0300\"\n"),
    ("bad-tcb-status", "invalid-value", "attestation:\n  policy:\n", "attestation:\n  policy:\n    acceptedTcbStatuses: [@@UpTodate]\n"),
    ("undefined-from", "undefined-environment", "from: production", "from: @@prodution"),
    ("inheritance-cycle", "inheritance-cycle", "  production:\n    hostname", "  production:\n    from: @@staging\n    hostname"),
    ("undefined-workload", "undefined-workload", "workloads: [hello-world]", "workloads: [@@hello-wrld]"),
    ("preview-from-undefined", "undefined-environment", "  from: staging\n", "  from: @@qa\n"),
    ("unknown-template-variable", "unknown-template-variable", "hostname: app.{domain}", "hostname: app.@@{domian}"),
    ("quoted-template-variable", "unknown-template-variable", "hostname: app.{domain}", "hostname: \"app.@@{zone}.{domain}\""),
    ("number-outside-previews", "unknown-template-variable", "hostname: staging.{domain}", "hostname: staging-@@{number}.{domain}"),
    ("hostname-outside-domain", "hostname-outside-domain", "hostname: app.{domain}", "hostname: @@app.example.org"),
    ("hostname-collision", "hostname-collision", "hostname: staging.{domain}", "hostname: @@app.{domain}"),
    ("preview-without-number", "hostname-collision", "  enabled: true\n", "  enabled: true\n  hostname: @@preview.{domain}\n"),
    ("invalid-hostname", "invalid-hostname", "hostname: staging.{domain}", "hostname: @@-staging.{domain}"),
    ("literal-api-token", "secret-literal", "apiToken: {env: CF_TOKEN}", "apiToken: @@v1.0-abcdefabcdef0123456789"),
    ("literal-secret-env", "secret-literal", "      - LOG_LEVEL=info\n", "      - LOG_LEVEL=info\n      - @@API_TOKEN=hunter2hunter2\n"),
    ("github-token-value", "secret-literal", "      - LOG_LEVEL=info\n", "      - LOG_LEVEL=info\n      - @@UPSTREAM=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n"),
    ("secret-both-sources", "conflicting-fields", "apiToken: {env: CF_TOKEN}", "apiToken: {env: CF_TOKEN, @@file: /run/token}"),
    ("zone-and-zones", "conflicting-fields", "    zone: us-central1-c\n", "    zone: us-central1-c\n    @@zones: [us-central1-a]\n"),
    ("workload-does-nothing", "missing-field", "  hello-world:\n    cmd: [hello, --port, \"9000\"]\n", "  @@hello-world:\n    tty: true\n"),
    ("env-without-equals", "invalid-value", "      - LOG_LEVEL=info", "      - @@LOG_LEVEL"),
    ("duplicate-pool", "duplicate-name", "        workloads: [hello-world]\n  staging", "        workloads: [hello-world]\n      - name: @@web\n        count: 1\n  staging"),
    ("vm-name-too-long", "name-too-long", "previews:", "  customer-facing-production-europe-west:\n    hostname: eu.{domain}\n    pools:\n      - name: @@abcdefghijklmnopqrst\n        count: 1\n        workloads: [hello-world]\npreviews:"),
    ("yaml-tag", "yaml-tag", "kind: Fleet", "kind: @@!!python/object:os.system Fleet"),
    ("tab-indentation", "yaml-syntax", "    zone: us-central1-c\n", "    zone: us-central1-c\n@@\tnetwork: default\n"),
    ("value-with-colon", "yaml-syntax", "zone: us-central1-c", "zone: us-central1-c@@: x"),
    ("multiple-documents", "multiple-documents", "", "@@---\nkind: Fleet\n"),
    ("undefined-alias", "undefined-alias", "count: 2", "count: @@*two"),
    ("ttl-malformed", "invalid-value", "  from: staging\n", "  from: staging\n  ttl: @@3 days\n"),
    ("preview-max-zero", "out-of-range", "  from: staging\n", "  from: staging\n  max: @@0\n"),
    ("disk-too-small", "out-of-range", "count: 2", "count: 2\n        diskGb: @@5"),
    ("expose-port-range", "out-of-range", "      - LOG_LEVEL=info\n", "      - LOG_LEVEL=info\n    expose:\n      - hostname_label: web\n        port: @@70000\n"),
    ("bad-pccs-url", "invalid-value", "attestation:\n", "attestation:\n  pccs: @@pccs.example.com\n"),
    ("expose-agent-port", "invalid-value", "      - LOG_LEVEL=info\n", "      - LOG_LEVEL=info\n    expose:\n      - hostname_label: @@web\n        port: 8080\n"),
    ("bad-repo", "invalid-name", "    cmd: [hello", "    github_release: {repo: @@not-a-repo, asset: hello}\n    cmd: [hello"),
]


def apply(base, old, new):
    if old == "":
        text = base + new
    else:
        assert base.count(old) >= 1, old
        text = base.replace(old, new, 1)
    index = text.index("@@")
    text = text.replace("@@", "", 1)
    before = text[:index]
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return text, line, column


def main():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "invalid")
    os.makedirs(here, exist_ok=True)
    for name, rule, old, new in CASES:
        text, line, column = apply(BASE, old, new)
        # The header line shifts everything down by one.
        header = f"# expect: {rule} {line + 1}:{column}\n"
        with open(os.path.join(here, name + ".yaml"), "w") as handle:
            handle.write(header + text)
    with open(os.path.join(here, "..", "valid-minimal.yaml"), "w") as handle:
        handle.write(BASE)
    print(f"{len(CASES)} invalid fixtures written")


if __name__ == "__main__":
    main()
