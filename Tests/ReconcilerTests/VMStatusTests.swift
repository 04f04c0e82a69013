import Reconciler
import Testing

/// VM status as a type: GCE's words in and out, unknown statuses kept.
@Suite struct VMStatusTests {
    @Test(
        "every known status round-trips its GCE word",
        arguments: ["PROVISIONING", "STAGING", "RUNNING", "STOPPING", "TERMINATED", "SUSPENDING", "SUSPENDED", "REPAIRING"]
    )
    func known(_ word: String) {
        let status = VMStatus(rawValue: word)
        #expect(status.rawValue == word && "\(status)" == word)
        if case .other = status { Issue.record("\(word) is known") }
    }

    @Test("an unknown status is preserved verbatim, and compares by its spelling")
    func unknownPreserved() {
        let status = VMStatus(rawValue: "HIBERNATING")
        #expect(status == .other("HIBERNATING") && status.rawValue == "HIBERNATING")
        #expect(VMStatus.other("RUNNING") == .running && Set<VMStatus>([.other("RUNNING"), .running]).count == 1)
        let vm = ObservedVM(name: "a", zone: "z", status: status, labels: [:])
        #expect(!vm.isStopped && !vm.isSuspended && vm.status.rawValue == "HIBERNATING")
        #expect(ObservedVM(name: "a", zone: "z", status: "TERMINATED", labels: [:]).isStopped)
    }
}
