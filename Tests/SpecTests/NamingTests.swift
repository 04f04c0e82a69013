import Spec
import Testing

/// The typed names: label keys, the ownership comment, preview numbers, the boot environment.
@Suite struct NamingTests {
    @Test("label keys are the dd- keys on the wire, and the typed subscript reads and writes them")
    func labelKeys() {
        #expect(
            [LabelKey.fleet, .environment, .role, .pool, .spec, .epoch].map(\.rawValue)
                == ["dd-fleet", "dd-env", "dd-role", "dd-pool", "dd-spec", "dd-epoch"]
        )
        var labels = ["dd-fleet": "acme", "team": "web"]
        #expect(labels[label: .fleet] == "acme" && labels[label: .pool] == nil)
        labels[label: .pool] = "web"
        #expect(labels["dd-pool"] == "web")
        #expect(LabelKey.isManaged("dd-anything") && !LabelKey.isManaged("team"))
    }

    @Test("the ownership comment renders the wire form and parses it back, in any token order")
    func ownershipComment() {
        let comment = OwnershipComment(fleet: "acme", environment: "production")
        #expect(comment.rendered == "managed-by=devopsdefender fleet=acme env=production")
        #expect(OwnershipComment(parsing: comment.rendered) == comment)
        #expect(OwnershipComment(parsing: "env=qa epoch=7 fleet=acme managed-by=devopsdefender") == .init(fleet: "acme", environment: "qa"))
        #expect(OwnershipComment(parsing: "managed-by=devopsdefender fleet=acme") == .init(fleet: "acme", environment: nil))
        #expect(OwnershipComment.fleetMarker(fleet: "acme") == "managed-by=devopsdefender fleet=acme")
        #expect(comment.rendered.hasPrefix(OwnershipComment.fleetMarker(fleet: "acme")))
    }

    @Test(
        "a comment without the managed-by token or a fleet is not ours",
        arguments: ["", "fleet=acme env=qa", "managed-by=someone-else fleet=acme", "managed-by=devopsdefender env=qa"]
    )
    func foreignComment(_ text: String) {
        #expect(OwnershipComment(parsing: text) == nil)
    }

    @Test("preview numbers round-trip pr-N and nothing else parses")
    func previewNumbers() {
        #expect(PreviewNumber(rawValue: 12).environment == "pr-12")
        #expect(PreviewNumber(environment: "pr-12") == PreviewNumber(rawValue: 12))
        #expect(PreviewNumber(environment: "pr-0")?.rawValue == 0)
        for text in ["pr-", "pr-x", "pr-07", "pr-+7", "pr--7", "pr-7a", "production", "PR-7", "pr-99999999999999999999"] {
            #expect(PreviewNumber(environment: text) == nil, "\(text)")
            #expect(!PreviewNumber.isPreview(text), "\(text)")
        }
        #expect(PreviewNumber(rawValue: 2) < PreviewNumber(rawValue: 10))
    }

    @Test("a name's preview and generation are parsed in one place, canonical spellings only")
    func namePartsParse() {
        #expect(PreviewNumber(leadingEnvironmentOf: "pr-12-web-0-0123abcd") == PreviewNumber(rawValue: 12))
        for name in ["pr-12", "pr-012-web-0", "production-web-0", "pr--1-web", "prx-1-web"] {
            #expect(PreviewNumber(leadingEnvironmentOf: name) == nil, "\(name)")
        }
        #expect(ResourceNaming.generation(of: "dd-production-web-0-0123abcd") == "0123abcd")
        for name in ["dd-production-web-0-0123ABCD", "dd-production-web-0-0123abc", "dd-production-web-0-0123abcg", "0123abcd0"] {
            #expect(ResourceNaming.generation(of: name) == nil, "\(name)")
        }
        #expect(ResourceNaming.generation(of: "0123abcd") == "0123abcd")
    }

    @Test("the boot environment renders KEY=value in order and parses its rendering back")
    func bootEnvironment() {
        var environment = BootEnvironment([.fleet: "acme", .environment: "pr-3"])
        environment.append(.controlPlanePolicy, "e30=x")
        environment += BootEnvironment([.vmName: "dd-pr-3-web-0-12345678"])
        #expect(environment.rendered == ["DD_FLEET=acme", "DD_ENV=pr-3", "DD_CP_POLICY=e30=x", "DD_VM_NAME=dd-pr-3-web-0-12345678"])
        let parsed = BootEnvironment(parsing: environment.rendered + ["no-equals-sign"])
        #expect(parsed == environment)
        #expect(parsed[.controlPlanePolicy] == "e30=x", "only the first = separates")
        #expect(parsed["DD_VM_NAME"] == "dd-pr-3-web-0-12345678" && parsed[.registerURL] == nil)
        #expect(BootEnvironment(parsing: ["DD_ENV=a", "DD_ENV=b"])[.environment] == "b", "the later entry wins")
    }

    @Test("from a process environment only DD_ variables are kept, by name")
    func bootEnvironmentFromProcess() {
        let environment = BootEnvironment(variables: ["PATH": "/bin", "DD_VM_NAME": "vm", "DD_ENV": "qa"])
        #expect(environment.rendered == ["DD_ENV=qa", "DD_VM_NAME=vm"])
    }
}
