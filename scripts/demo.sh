#!/usr/bin/env bash
# The main job, until the reconciler exists: validate the example fleet and show the desired
# state it expands to — environments, pools, VM names, hostnames and what each VM boots with.
set -euo pipefail
dd=${1:-.build/debug/devopsdefender}
fleet=examples/fleet.yaml

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "devopsdefender validate $fleet"
"$dd" validate "$fleet"

step "devopsdefender render $fleet --preview 42 --format text"
"$dd" render "$fleet" --preview 42 --format text

step "what one VM boots with: devopsdefender render $fleet --env production --format json (first web VM)"
"$dd" render "$fleet" --env production --format json \
  | python3 -c 'import json,sys; vm=json.load(sys.stdin)["environments"][0]["vms"][1]; print(json.dumps({k: vm[k] for k in ("name","hostname","zone","machineType","labels","boots","metadata")}, indent=2))'

step "an invalid fleet is refused with every problem at once"
bad=$(mktemp --suffix=.yaml)
trap 'rm -f "$bad"' EXIT
sed -e 's/machineType: c3-standard-8/machinetype: c3-standard-8/' \
    -e 's/hostname: app-staging.{domain}/hostname: app-staging.{domian}/' \
    -e 's/workloads: \[report-builder\]/workloads: [report-bulider]/' "$fleet" > "$bad"
set +e
"$dd" validate "$bad"
status=$?
set -e
if [ "$status" -ne 1 ]; then echo "expected exit code 1 for the broken copy, got $status" >&2; exit 1; fi
echo "(exit code 1, as expected)"

step "done: every VM name, hostname and ee-config above is derived deterministically from $fleet"
