"""Drives the official google-cloud-compute SDK (REST transport, unmodified) against the emulator.

Usage: python gce_sdk_interop.py BASE_URL KEY_FILE PROJECT ZONE
The key file's token_uri points at the emulator, so google-auth's real JWT exchange runs too.
Prints a JSON summary of what the SDK saw.
"""

import json
import sys

from google.api_core.client_options import ClientOptions
from google.cloud import compute_v1
from google.oauth2 import service_account

base, key_file, project, zone = sys.argv[1:5]
credentials = service_account.Credentials.from_service_account_file(
    key_file, scopes=["https://www.googleapis.com/auth/cloud-platform"]
)
options = ClientOptions(api_endpoint=base)
instances = compute_v1.InstancesClient(credentials=credentials, client_options=options, transport="rest")
operations = compute_v1.ZoneOperationsClient(credentials=credentials, client_options=options, transport="rest")
summary = {}

for index in range(5):
    instance = compute_v1.Instance(
        name=f"sdk-vm-{index}",
        machine_type=f"zones/{zone}/machineTypes/c3-standard-4",
        labels={"dd-fleet": "sdk" if index < 4 else "other"},
        confidential_instance_config=compute_v1.ConfidentialInstanceConfig(confidential_instance_type="TDX"),
        scheduling=compute_v1.Scheduling(on_host_maintenance="TERMINATE"),
        metadata=compute_v1.Metadata(items=[compute_v1.Items(key="ee-config", value='{"workloads":[]}')]),
    )
    request = compute_v1.InsertInstanceRequest(
        project=project, zone=zone, instance_resource=instance, request_id=f"00000000-0000-4000-8000-00000000000{index}"
    )
    operation = instances.insert(request=request)
    # ExtendedOperation.result() polls through an internal ZoneOperationsClient that ignores
    # client_options (it always calls compute.googleapis.com), so wait with our own client.
    done = operations.wait(project=project, zone=zone, operation=operation.name)
    while done.status != compute_v1.Operation.Status.DONE:
        done = operations.get(project=project, zone=zone, operation=operation.name)
    summary.setdefault("insert_status", []).append(compute_v1.Operation.Status(done.status).name)

request = compute_v1.ListInstancesRequest(project=project, zone=zone, filter="labels.dd-fleet = sdk", max_results=2)
summary["listed"] = sorted(instance.name for instance in instances.list(request=request))
fetched = instances.get(project=project, zone=zone, instance="sdk-vm-0")
summary["fetched"] = {
    "name": fetched.name,
    "status": fetched.status,
    "confidential": fetched.confidential_instance_config.confidential_instance_type,
    "metadata": [item.key for item in fetched.metadata.items],
}
operation = instances.delete(project=project, zone=zone, instance="sdk-vm-0")
waited = operations.wait(project=project, zone=zone, operation=operation.name)
while waited.status != compute_v1.Operation.Status.DONE:
    waited = operations.wait(project=project, zone=zone, operation=operation.name)
summary["delete_status"] = compute_v1.Operation.Status(waited.status).name
try:
    instances.get(project=project, zone=zone, instance="sdk-vm-0")
    summary["after_delete"] = "found"
except Exception as error:
    summary["after_delete"] = type(error).__name__
summary["remaining"] = sorted(instance.name for instance in instances.list(project=project, zone=zone))
print(json.dumps(summary))
