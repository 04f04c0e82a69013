/// Generates a large, valid fleet file: `environments` environments (every fourth inherits from
/// the one before it with `from:`), each with a control plane and two pools, and `workloads`
/// workloads spread over the pools.
struct FleetGenerator {
    var environments: Int
    var workloads: Int
    var zones = ["us-central1-a", "us-central1-b", "us-central1-c"]

    /// Everything before the environments: metadata, providers, attestation.
    func header() -> String {
        """
        apiVersion: devopsdefender.com/v1
        kind: Fleet
        metadata:
          name: bench
          owner: {github: bench-org}
          labels: {team: platform}
        providers:
          gce:
            project: bench-project
            zones: [\(self.zones.joined(separator: ", "))]
            image: {family: easyenclave-stable, project: easyenclave}
            serviceAccount: fleet@bench-project.iam.gserviceaccount.com
          cloudflare:
            accountId: 0123456789abcdef0123456789abcdef
            zoneId: fedcba9876543210fedcba9876543210
            domain: bench.example
            apiToken: {env: CF_TOKEN}
        attestation:
          policy:
            mrtd:
              - 935be7742dd89748a84aa51826cd06d1ca82ecf2a2e1ff6ef8f68d2f85e4cb5c3e2e8e1d9b3c10f7ae0aa7f24e9c9d5e
            rejectDebug: true
            acceptedTcbStatuses: [UpToDate, SWHardeningNeeded]
        environments:

        """
    }

    func text() -> String {
        var text = self.header()
        let perEnvironment = max(1, self.workloads / max(1, self.environments))
        for index in 0..<self.environments {
            let first = (index * perEnvironment) % max(1, self.workloads)
            let names = (0..<perEnvironment).map { "w\((first + $0) % self.workloads)" }
            let half = max(1, names.count / 2)
            text += "  env-\(index):\n"
            text += "    hostname: env-\(index).{domain}\n"
            if index % 4 == 3 {
                text += "    from: env-\(index - 1)\n"
                text += "    pools:\n      - name: web\n        count: 1\n"
                continue
            }
            text += "    release: {repo: devopsdefender/dd, asset: devopsdefender, tag: v1.\(index % 7).0}\n"
            text += "    controlPlane: {machineType: c3-standard-4, diskGb: 20}\n"
            text += "    labels: {tier: t\(index % 5)}\n"
            text += "    pools:\n"
            text += "      - name: web\n        count: 2\n        machineType: c3-standard-8\n"
            text += "        workloads: [\(names.prefix(half).joined(separator: ", "))]\n"
            text += "      - name: batch\n        count: 1\n        diskGb: 40\n"
            text += "        workloads: [\(names.dropFirst(half).joined(separator: ", "))]\n"
        }
        text += "previews: {enabled: true, from: env-0, ttl: 48h, max: 20}\n"
        text += "workloads:\n"
        for index in 0..<self.workloads {
            text += "  w\(index):\n"
            text += "    github_release: {repo: bench-org/app-\(index % 97), asset: app-linux-amd64, tag: v\(index % 13).0.1}\n"
            text += "    cmd: [app-\(index % 97), --port, \"\(9000 + index % 500)\", --name, w\(index)]\n"
            text += "    env:\n      - LOG_LEVEL=info\n      - SHARD=\(index)\n"
            if index % 10 == 0 {
                text += "      - name: DB_PASSWORD\n        secret: {env: DB_PASSWORD_\(index)}\n"
            }
        }
        return text
    }
}
