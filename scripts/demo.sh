#!/usr/bin/env bash
# The main job on the local simulated fleet: start the GCE and Cloudflare emulators, plan the
# example fleet, apply it, plan again (no changes), then change things behind the reconciler's
# back — delete a tunnel and a VM, repoint a DNS record — and watch plan / apply heal the drift.
# Objects of another fleet and unlabelled ones are seeded too: they never appear in a plan.
# Then the control plane takes over from a local git repository holding the fleet file: agents
# attest and register; a commit (sent as a signed webhook) converges with no one running apply;
# a VM deleted behind its back is healed; a force-push stalls (nothing deleted) until approved.
set -euo pipefail
dd=$(realpath "${1:-.build/debug/devopsdefender}")
fleet=examples/fleet.yaml

work=$(mktemp -d)
emulator_pid=""
fleet_pids=()
cleanup() {
  for pid in "${fleet_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${fleet_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# Runs a devopsdefender command, shows it, and checks its exit code.
expect() {
  local want=$1; shift
  printf '\033[2m$ devopsdefender %s\033[0m\n' "$*"
  set +e; "$dd" "$@"; local got=$?; set -e
  if [ "$got" -ne "$want" ]; then echo "demo: expected exit code $want from '$*', got $got" >&2; exit 1; fi
  printf '\033[2m(exit code %s)\033[0m\n' "$got"
}

step "start the GCE, Cloudflare and PCCS emulators on 127.0.0.1 (the PCCS serves the simulated TDX platform's collateral)"
"$dd" attest quote --sim --output-dir "$work/sim" > /dev/null
"$dd" emulator --gce --cloudflare --pccs --sim-authority "$work/sim/authority.json" --port 0 --project dd-prod \
  --key-file "$work/gce-key.json" > "$work/emulator.env" 2> "$work/emulator.log" &
emulator_pid=$!
for _ in $(seq 1 100); do grep -q DD_CF_ZONE_ID "$work/emulator.env" 2>/dev/null && break; sleep 0.1; done
grep -q DD_CF_ZONE_ID "$work/emulator.env" || { echo "demo: the emulator did not start:" >&2; cat "$work/emulator.log" >&2; exit 1; }
# shellcheck disable=SC1091
source "$work/emulator.env"
export DD_JOURNAL="$work/journal.sqlite3"
head -1 "$work/emulator.env"

gce() { curl -sf -X "$1" -H "Authorization: Bearer $DD_GCE_ACCESS_TOKEN" -H 'Content-Type: application/json' "$DD_GCE_ENDPOINT/projects/$DD_GCE_PROJECT/$2" ${3:+-d "$3"}; }
cf() { curl -sf -X "$1" -H "Authorization: Bearer $DD_CF_API_TOKEN" -H 'Content-Type: application/json' "$DD_CLOUDFLARE_ENDPOINT/$2" ${3:+-d "$3"}; }
tunnels="accounts/$DD_CF_ACCOUNT_ID/cfd_tunnel"
records="zones/$DD_CF_ZONE_ID/dns_records"

step "seed objects that are not this fleet's: another fleet's VM and tunnel, an unlabelled VM, a hand-made DNS record"
gce POST "zones/us-central1-a/instances" '{"name":"acme-production-web-0-0badcafe","machineType":"zones/us-central1-a/machineTypes/n2-standard-2","labels":{"dd-fleet":"acme"}}' >/dev/null
gce POST "zones/us-central1-a/instances" '{"name":"hand-made-vm","machineType":"zones/us-central1-a/machineTypes/e2-small"}' >/dev/null
cf POST "$tunnels" '{"name":"dd-production-web-0-0badcafe-acme","config_src":"cloudflare"}' >/dev/null
cf POST "$records" '{"type":"CNAME","name":"status.devopsdefender.com","content":"status.example.net","proxied":true}' >/dev/null
echo "seeded: acme-production-web-0-0badcafe (dd-fleet=acme), hand-made-vm, tunnel dd-production-web-0-0badcafe-acme, status.devopsdefender.com"

step "plan: the whole example fleet is to be created (exit code 2: changes)"
expect 2 plan "$fleet"

step "apply: converge it (the DAG runs VM → tunnel → ingress → DNS, a journal intent before every call)"
expect 0 apply "$fleet" --auto-approve

step "plan again: nothing to do (exit code 0) — no perpetual diffs"
expect 0 plan "$fleet"

step "drift behind the reconciler's back: delete a tunnel and a VM, repoint a DNS record"
tunnel_id=$(cf GET "$tunnels?name=dd-staging-cp-65a169a7&is_deleted=false" | jq -r '.result[0].id')
cf DELETE "$tunnels/$tunnel_id" >/dev/null && echo "deleted tunnel dd-staging-cp-65a169a7 ($tunnel_id)"
vm=$(gce GET "aggregated/instances?filter=labels.dd-pool%3Dbatch" | jq -r '[.items[].instances[]?.name] | sort | .[0]')
zone=$(gce GET "aggregated/instances?filter=labels.dd-pool%3Dbatch" | jq -r --arg vm "$vm" '[.items[].instances[]? | select(.name == $vm) | .zone] | .[0]' | sed 's|.*/||')
gce DELETE "zones/$zone/instances/$vm" >/dev/null && echo "deleted VM $vm ($zone)"
record=$(cf GET "$records?name=app.devopsdefender.com" | jq -r '.result[0].id')
cf PATCH "$records/$record" '{"content":"attacker.example.net"}' >/dev/null && echo "repointed app.devopsdefender.com → attacker.example.net"
for _ in $(seq 1 50); do gce GET "zones/$zone/instances/$vm" >/dev/null 2>&1 || break; sleep 0.1; done

step "plan shows the drift (and still nothing of the seeded foreign objects)"
expect 2 plan "$fleet"

step "the same plan as a pull-request comment (Markdown, summary first)"
expect 2 plan "$fleet" --format markdown

step "apply heals it"
expect 0 apply "$fleet" --auto-approve

step "plan: converged again"
expect 0 plan "$fleet"

step "a saved plan is refused once the world changed since it was made (exit code 3)"
cf PATCH "$records/$record" '{"proxied":false}' >/dev/null
expect 2 plan "$fleet" --out "$work/plan.json" --format json > /dev/null
cf PATCH "$records/$record" '{"content":"elsewhere.example.net"}' >/dev/null && echo "meanwhile, app.devopsdefender.com was repointed again"
expect 3 apply "$work/plan.json"
expect 0 apply "$fleet" --auto-approve | tail -2

step "the circuit breaker: a spec that would delete most of the fleet is refused (exit code 3)"
sed -e 's/count: 3/count: 0/' -e 's/count: 2/count: 0/' "$fleet" > "$work/shrunk.yaml"
expect 3 plan "$work/shrunk.yaml"

step "put the example fleet in a git repository: the control plane watches it (the GitOps daemon)"
repo="$work/fleet-repo"
git_() { git -C "$repo" -c user.name=demo -c user.email=demo@example.com -c commit.gpgsign=false "$@"; }
git init -q -b main "$repo"
cp "$fleet" "$repo/fleet.yaml"
git_ add fleet.yaml && git_ commit -qm "the example fleet"
first=$(git_ rev-parse HEAD)
echo "repository $repo at $first"
printf 'demo-webhook-secret\n' > "$work/webhook.secret"
printf 'demo-admin-token\n' > "$work/admin.token"

step "the control plane: it reconciles production from the repository and registers attested agents (Noise XX over WebSocket, simulated TDX on both sides, TCB status judged with collateral from the PCCS at DD_PCCS_URL)"
sim=(--quote-source simulated --sim-authority "$work/sim/authority.json" --trust-simulated)
"$dd" control-plane --repo "$repo" --env production --interval 5 --state-dir "$work/cp" \
  --webhook-secret-file "$work/webhook.secret" --admin-token-file "$work/admin.token" \
  --listen 127.0.0.1:0 --port-file "$work/cp.port" --stale-after 3 "${sim[@]}" > "$work/cp.log" 2>&1 &
fleet_pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/cp.port" ] && break; sleep 0.1; done
[ -s "$work/cp.port" ] || { echo "demo: the control plane did not start:" >&2; cat "$work/cp.log" >&2; exit 1; }
cp_port=$(cat "$work/cp.port")
cp_url="http://127.0.0.1:$cp_port"
echo "control plane on $cp_url (GET /status, /plans/production, /health, /metrics; POST /hooks/github; WebSocket /register)"
expect 0 wait --control-plane "$cp_url" --revision "$first" --env production --timeout 60
mapfile -t web < <("$dd" render "$fleet" --env production --format json | jq -r '.environments[0].vms[] | select(.pool == "web") | .name')
mapfile -t zones < <("$dd" render "$fleet" --env production --format json | jq -r '.environments[0].vms[] | select(.pool == "web") | .zone')
# Each agent boots like a fleet VM: its name, the control plane's policy (DD_CP_POLICY) and its
# instance id come from its own instance's metadata server — here the GCE emulator's, serving the
# ee-config apply wrote — and the control plane checks it against the VM it names in GCE.
metadata_host=${DD_GCE_ENDPOINT#http://}
metadata_host=${metadata_host%/compute/v1}
for i in "${!web[@]}"; do
  "$dd" agent --register-url "ws://127.0.0.1:$cp_port/register" --metadata-host "$metadata_host/_emulator/vms/${zones[$i]}/${web[$i]}" \
    --heartbeat 1 --health-listen 127.0.0.1:0 --connector emulator --connector-emulator "${DD_CLOUDFLARE_ENDPOINT%/client/v4}" \
    "${sim[@]}" > "$work/agent-$i.log" 2>&1 &
  fleet_pids+=($!)
  echo "agent ${web[$i]} started (configured from its metadata)"
done
health() { curl -sf "$cp_url/health"; }
for _ in $(seq 1 100); do [ "$(health | jq '[.list[] | select(.heartbeats >= 2)] | length')" = "${#web[@]}" ] && break; sleep 0.2; done
health | jq -c '.list[] | {vm, agentID, hostname, status, heartbeats, stale}'
[ "$(health | jq .healthy)" = "${#web[@]}" ] || { echo "demo: not every agent registered:" >&2; cat "$work/cp.log" "$work/agent-0.log" >&2; exit 1; }
echo "their tunnels, now connected (the stand-in connector reports to the Cloudflare emulator):"
cf GET "$tunnels?is_deleted=false&include_prefix=dd-production-web" | jq -c '.result[] | {name, status}'

step "Cloudflare's edge (emulated at DD_EDGE_ENDPOINT) reaches an agent along its proxied DNS record, its tunnel's ingress and its connector"
printf '\033[2m$ curl -H "Host: %s.devopsdefender.com" "$DD_EDGE_ENDPOINT/health"\033[0m\n' "${web[0]}"
curl -sf -H "Host: ${web[0]}.devopsdefender.com" "$DD_EDGE_ENDPOINT/health" | jq -c '{vm, registered, connectorReady}'
printf '\033[2m$ curl -H "Host: nowhere.devopsdefender.com" "$DD_EDGE_ENDPOINT/"\033[0m\n'
curl -s -w ' (HTTP %{http_code})\n' -H "Host: nowhere.devopsdefender.com" "$DD_EDGE_ENDPOINT/" | tr -d '\n'; echo

step "a TD with the right measurements that is not the VM it claims (another instance id) is refused, and gets no tunnel"
printf '\033[2m$ devopsdefender agent --vm-name %s --instance-id 4242 …\033[0m\n' "${web[1]}"
set +e
"$dd" agent --fleet "$fleet" --register-url "ws://127.0.0.1:$cp_port/register" --vm-name "${web[1]}" --instance-id 4242 \
  --health-listen 127.0.0.1:0 --connector none "${sim[@]}" > "$work/impostor.log" 2>&1
got=$?
set -e
grep -o 'error: registration refused.*' "$work/impostor.log" || true
if [ "$got" -ne 1 ] || ! grep -q instance-mismatch "$work/impostor.log"; then
  echo "demo: the impostor was not refused (exit code $got):" >&2; cat "$work/impostor.log" >&2; exit 1
fi
printf '\033[2m(exit code %s)\033[0m\n' "$got"

step "an agent goes silent: after the 3 s timeout the control plane marks it stale (not dead)"
kill "${fleet_pids[1]}"
for _ in $(seq 1 100); do [ "$(health | jq .stale)" = "1" ] && break; sleep 0.1; done
health | jq -c '.list[] | {vm, stale}'
[ "$(health | jq .stale)" = "1" ] || { echo "demo: the silent agent did not turn stale" >&2; exit 1; }

step "plan once more, observing the control plane's agents: registration adopted the reconciler's own tunnels and records, so nothing changes; the stale agent is reported"
expect 0 plan "$fleet" --control-plane "$cp_url"

step "commit to the repository: production's web pool grows to 4 and hello-world moves to port 9001; a signed GitHub webhook wakes the control plane"
sed -i -e '0,/count: 3/s//count: 4/' -e 's/0.0.0.0:9000/0.0.0.0:9001/' -e 's/port: 9000/port: 9001/' "$repo/fleet.yaml"
git_ commit -qam "grow web, move hello-world to 9001"
grown=$(git_ rev-parse HEAD)
webhook() {
  local body="{\"ref\":\"refs/heads/main\",\"after\":\"$1\"}"
  local signature
  signature=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$(cat "$work/webhook.secret")" -r | cut -d' ' -f1)
  printf '\033[2m$ curl -X POST %s/hooks/github (X-GitHub-Event: push, X-Hub-Signature-256: sha256=%s…)\033[0m\n' "$cp_url" "${signature:0:12}"
  curl -sf -X POST "$cp_url/hooks/github" -H "X-GitHub-Event: push" -H "X-GitHub-Delivery: demo-$RANDOM-$RANDOM" \
    -H "X-Hub-Signature-256: sha256=$signature" -H "Content-Type: application/json" -d "$body" | jq -c .
}
webhook "$grown"
echo "nobody runs apply: the control plane plans and converges by itself (a rolling replacement, one VM at a time)"
expect 0 wait --control-plane "$cp_url" --revision "$grown" --env production --timeout 180
production_vms() { gce GET "aggregated/instances?filter=labels.dd-env%3Dproduction" | jq -r '[.items[].instances[]?.name] | sort | .[]'; }
production_vms | sed 's/^/  /'
[ "$(production_vms | grep -c -- '-web-')" = 4 ] || { echo "demo: production does not run 4 web VMs" >&2; exit 1; }

step "delete a production VM behind the control plane's back: its next pass heals it"
victim=$(production_vms | grep -- '-batch-' | head -1)
victim_zone=$(gce GET "aggregated/instances?filter=name%3D$victim" | jq -r '[.items[].instances[]? | .zone] | .[0]' | sed 's|.*/||')
gce DELETE "zones/$victim_zone/instances/$victim" >/dev/null && echo "deleted $victim ($victim_zone)"
for _ in $(seq 1 150); do gce GET "zones/$victim_zone/instances/$victim" 2>/dev/null | jq -e '.status == "RUNNING"' >/dev/null 2>&1 && break; sleep 0.2; done
gce GET "zones/$victim_zone/instances/$victim" | jq -c '{name, status}'

step "force-push an older commit: it does not fast-forward, so the environment stalls (NonFastForward) and nothing is deleted"
git_ reset -q --hard "$first"
sed -i 's/count: 2/count: 1/' "$repo/fleet.yaml"
git_ commit -qam "rewritten history: batch shrinks to 1"
rewritten=$(git_ rev-parse HEAD)
webhook "$rewritten"
expect 1 wait --control-plane "$cp_url" --revision "$rewritten" --env production --timeout 60
expect 1 status --control-plane "$cp_url"
[ "$(production_vms | grep -c -- '-web-')" = 4 ] || { echo "demo: the stalled environment lost VMs" >&2; exit 1; }
echo "still 4 web VMs: a stalled environment stays on its applied revision"

step "an operator approves the rewritten head; the control plane applies it"
expect 0 approve --control-plane "$cp_url" --admin-token-file "$work/admin.token" "$rewritten"
expect 0 wait --control-plane "$cp_url" --revision "$rewritten" --env production --timeout 180
expect 0 status --control-plane "$cp_url"

step "done: plan/apply converged and healed the fleet; the control plane then kept production converged from git by itself — a commit, a deleted VM, a force-push held until approved — with agents attested and registered"
