/**
 * The control-plane check tells a transient warning of the attach/detach controller (a StatefulSet
 * pod recreated on another node, its volume not yet detached from the old one) from the defect it
 * looks for (two different pods holding one ReadWriteOnce volume). Messages as the reconciler of
 * kube-controller-manager writes them.
 */
import * as assert from "assert";
import { multiAttachIsPendingDetach } from "../tools/cluster/check";

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
