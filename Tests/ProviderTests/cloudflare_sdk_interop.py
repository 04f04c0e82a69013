"""Drives the official Cloudflare Python SDK (unmodified) against the emulator.

Usage: python cloudflare_sdk_interop.py BASE_URL TOKEN ACCOUNT_ID ZONE_ID
Prints a JSON summary of what the SDK saw.
"""

import json
import sys

from cloudflare import Cloudflare

base_url, token, account, zone = sys.argv[1:5]
cf = Cloudflare(api_token=token, base_url=base_url, max_retries=0)
tunnels = cf.zero_trust.tunnels.cloudflared
summary = {}

created = [tunnels.create(account_id=account, name=f"sdk-tunnel-{i}", config_src="cloudflare") for i in range(5)]
summary["created"] = [t.name for t in created]
summary["listed"] = sorted(t.name for t in tunnels.list(account_id=account, is_deleted=False, per_page=2))
fetched = tunnels.get(created[0].id, account_id=account)
summary["fetched"] = {"id": fetched.id, "name": fetched.name, "status": fetched.status}
tunnels.configurations.update(
    created[0].id,
    account_id=account,
    config={"ingress": [{"hostname": "app.example.com", "service": "http://localhost:8080"}, {"service": "http_status:404"}]},
)
configuration = tunnels.configurations.get(created[0].id, account_id=account)
summary["config_version"] = configuration.version
summary["ingress"] = [rule.service for rule in configuration.config.ingress]
summary["token_length"] = len(tunnels.token.get(created[0].id, account_id=account))
try:
    tunnels.create(account_id=account, name="sdk-tunnel-0", config_src="cloudflare")
    summary["duplicate"] = "accepted"
except Exception as error:  # the SDK raises ConflictError for 409
    summary["duplicate"] = type(error).__name__

records = cf.dns.records
made = [
    records.create(
        zone_id=zone, type="CNAME", name=f"r{i}.example.com", content=f"{created[0].id}.cfargotunnel.com",
        proxied=True, ttl=1, comment="managed-by=devopsdefender fleet=sdk",
    )
    for i in range(7)
]
summary["records_listed"] = sorted(r.name for r in records.list(zone_id=zone, per_page=5))
summary["record_fetched"] = records.get(made[0].id, zone_id=zone).content
for record in made:
    records.delete(record.id, zone_id=zone)
summary["records_after_delete"] = len(list(records.list(zone_id=zone, per_page=5)))
for tunnel in created:
    tunnels.delete(tunnel.id, account_id=account)
summary["tunnels_after_delete"] = len(list(tunnels.list(account_id=account, is_deleted=False, per_page=2)))
print(json.dumps(summary))
