/**
 * The control-plane check tells a transient warning of the attach/detach controller (a StatefulSet
 * pod recreated on another node, its volume not yet detached from the old one) from the defect it
 * looks for (two different pods holding one ReadWriteOnce volume). Messages as the reconciler of
 * kube-controller-manager writes them.
 */
import * as assert from "assert";
import { isTransientWarning, multiAttachIsPendingDetach, quotaRefusalRecovered } from "../tools/cluster/check";

describe("cluster check: Multi-Attach warnings", () => {
    const vol = `Multi-Attach error for volume "pvc-92205d18-8849-4ada-a248-a1f77f1acd96"`;
    const cases: [string, string, string, boolean][] = [
        [
            "the old node still has the volume, no pod uses it there",
            `${vol} Volume is already exclusively attached to one node and can't be attached to another`,
            "valkey-1",
            true,
        ],
        ["the previous incarnation of the same pod is still listed", `${vol} Volume is already used by pod(s) valkey-1`, "valkey-1", true],
        ["another pod holds the volume", `${vol} Volume is already used by pod(s) valkey-0`, "valkey-1", false],
        ["the same pod and another one hold it", `${vol} Volume is already used by pod(s) valkey-1, valkey-0`, "valkey-1", false],
        ["a pod whose name is a prefix of the holder's", `${vol} Volume is already used by pod(s) ollama-0x`, "ollama-0", false],
    ];
    for (const [what, message, pod, transient] of cases)
        it(`${what}: ${transient ? "transient" : "a defect"}`, () => assert.strictEqual(multiAttachIsPendingDetach(message, pod), transient));
});

describe("cluster check: which Warning events are retried transients", () => {
    const server = "https://127.0.0.1:35037";
    const cases: [string, string, string, boolean][] = [
        [
            "the API server fault, by URL",
            "FailedCreate",
            `create Pod valkey-1 in StatefulSet valkey failed error: Post "${server}/api/v1/namespaces/rag-prod-data/pods": EOF`,
            true,
        ],
        ["the API server fault, connection reset", "FailedCreate", "read tcp 127.0.0.1:51234->127.0.0.1:35037: read: connection reset by peer", true],
        [
            "the PV controller's conflict saving a claim",
            "ProvisioningFailed",
            'Error saving claim: Operation cannot be fulfilled on persistentvolumeclaims "pgdata-postgres-instances-0": the object has been modified; please apply your changes to the latest version and try again',
            true,
        ],
        ["the scheduler's assume cache behind", "FailedScheduling", 'PersistentVolumeClaim "data-valkey-0" is out of sync (stored: 4, assume: 3)', true],
        [
            "binding a pod being deleted",
            "FailedScheduling",
            'running Bind plugin "DefaultBinder": Operation cannot be fulfilled on pods/binding "ollama-7a198aae-1": pod ollama-7a198aae-1 is being deleted, cannot be assigned to a host',
            true,
        ],
        ["no node fits", "FailedScheduling", "0/9 nodes are available: 3 Insufficient nvidia.com/gpu.", false],
        ["a quota refusal", "FailedCreate", 'pods "api-1" is forbidden: exceeded quota: zone-quota', false],
        ["another API server's connection reset", "FailedCreate", "read tcp 10.0.0.1:1234->10.0.0.2:6443: read: connection reset by peer", false],
        ["a volume held by another pod", "FailedAttachVolume", 'Multi-Attach error for volume "pvc-1" Volume is already used by pod(s) valkey-0', false],
    ];
    for (const [what, reason, message, transient] of cases)
        it(`${what}: ${transient ? "transient" : "a refusal"}`, () =>
            assert.strictEqual(isTransientWarning({ reason, message, involvedObject: { kind: "Pod", name: "valkey-1" } }, server), transient));
});

describe("cluster check: a quota refusal is forgiven only when the workload recovered", () => {
    const message =
        'create Pod ollama-7a198aae-0 in StatefulSet ollama-7a198aae failed error: pods "ollama-7a198aae-0" is forbidden: exceeded quota: zone-quota, requested: requests.nvidia.com/gpu=1, used: requests.nvidia.com/gpu=3, limited: requests.nvidia.com/gpu=3';
    const ev = (kind: string, reason = "FailedCreate", text = message) => ({
        reason,
        message: text,
        involvedObject: { kind, namespace: "rag-prod-app", name: "ollama-7a198aae" },
    });
    const cases: [string, ReturnType<typeof ev>, boolean, boolean][] = [
        ["a StatefulSet whose every replica is Ready now (the usage lagged a replacement)", ev("StatefulSet"), true, true],
        ["a StatefulSet still short of Ready (the quota is too small)", ev("StatefulSet"), false, false],
        ["a ReplicaSet that recovered", ev("ReplicaSet"), true, true],
        ["a refusal of a bare Pod (no controller retries it)", ev("Pod"), true, false],
        ["another refusal of a recovered workload", ev("StatefulSet", "FailedCreate", 'pods "x" is forbidden: violates PodSecurity "restricted"'), true, false],
    ];
    for (const [what, event, ready, forgiven] of cases)
        it(`${what}: ${forgiven ? "forgiven" : "a defect"}`, () =>
            assert.strictEqual(
                quotaRefusalRecovered(event, () => ready),
                forgiven,
            ));
});
