/**
 * The mocks harness refuses what the real Pulumi engine refuses, so that a program that passes
 * the mocks does not fail `pulumi preview` (found by running the real engine: two NetworkPolicies
 * with one Pulumi name passed every mock test).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { EngineInvariantError, installMocks, ResourceLog, settle } from "../testing/mocks";

class Box extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Box", name, {}, opts);
        this.registerOutputs({});
    }
}

async function expectRefusal(program: () => void, pattern: RegExp): Promise<void> {
    const log = installMocks();
    program();
    await assert.rejects(settle(log), (e: unknown) => {
        assert.ok(e instanceof EngineInvariantError, String(e));
        assert.match((e as Error).message, pattern);
        return true;
    });
}

describe("mocks harness: engine invariants", () => {
    it("a program without problems settles", async () => {
        const log = installMocks();
        const a = new Box("a");
        new Box("b", { parent: a });
        await settle(log);
        assert.strictEqual(log.all.length, 2);
    });

    it("refuses two resources with one URN (the engine: Duplicate resource URN)", async () => {
        await expectRefusal(() => {
            const parent = new Box("parent");
            new Box("same", { parent });
            new Box("same", { parent });
        }, /Duplicate resource URN 'urn:pulumi:test::rag-platform::test:index:Box\$test:index:Box::same'/);
    });

    it("compares engine URNs (the full ancestor type chain), not the mock monitor's", async () => {
        // Same name and type under parents of different types: distinct for the engine.
        const log = installMocks();
        class Other extends pulumi.ComponentResource {
            constructor(name: string) {
                super("test:index:Other", name, {}, {});
            }
        }
        new Box("child", { parent: new Box("p1") });
        new Box("child", { parent: new Other("p2") });
        await settle(log);
    });

    it("refuses a child whose parent was never registered", () => {
        const log = new ResourceLog();
        log.check(record("urn:pulumi:s::p::t:m:T::orphan", { parent: "urn:pulumi:s::p::t:m:T::ghost" }), undefined);
        assert.throws(() => log.assertEngineInvariants(), /orphan: parent urn:pulumi:s::p::t:m:T::ghost was never registered/);
    });

    it("refuses a dependency or a provider that was never registered", () => {
        const log = new ResourceLog();
        log.check(
            record("urn:pulumi:s::p::t:m:T::a", { dependencies: ["urn:pulumi:s::p::t:m:T::nope"] }),
            "urn:pulumi:s::p::pulumi:providers:kubernetes::gone",
        );
        assert.throws(
            () => log.assertEngineInvariants(),
            (e: unknown) => {
                const problems = (e as EngineInvariantError).problems;
                assert.strictEqual(problems.length, 2);
                assert.match(problems.join("\n"), /provider urn:pulumi:s::p::pulumi:providers:kubernetes::gone was never registered/);
                assert.match(problems.join("\n"), /dependency urn:pulumi:s::p::t:m:T::nope was never registered/);
                return true;
            },
        );
    });

    it("refuses two resources that manage one Kubernetes object", async () => {
        await expectRefusal(() => {
            const provider = new k8s.Provider("cluster", { renderYamlToDirectory: "/tmp/unused" });
            new k8s.core.v1.ConfigMap("one", { metadata: { name: "settings", namespace: "app" }, data: {} }, { provider });
            new k8s.core.v1.ConfigMap("two", { metadata: { name: "settings", namespace: "app" }, data: {} }, { provider });
        }, /manage the same Kubernetes object ConfigMap app\/settings/);
    });

    it("the same object name in two namespaces is two objects", async () => {
        const log = installMocks();
        const provider = new k8s.Provider("cluster", { renderYamlToDirectory: "/tmp/unused" });
        new k8s.core.v1.ConfigMap("one", { metadata: { name: "settings", namespace: "app" }, data: {} }, { provider });
        new k8s.core.v1.ConfigMap("two", { metadata: { name: "settings", namespace: "data" }, data: {} }, { provider });
        await settle(log);
    });
});

function record(engineUrn: string, extra: { parent?: string; dependencies?: string[] } = {}) {
    return {
        urn: engineUrn,
        engineUrn,
        type: "t:m:T",
        name: engineUrn.split("::").pop()!,
        custom: true,
        inputs: {},
        state: {},
        secretPaths: [],
        dependencies: extra.dependencies ?? [],
        propertyDependencies: {},
        protect: false,
        retainOnDelete: false,
        ignoreChanges: [],
        replaceOnChanges: [],
        deleteBeforeReplace: false,
        aliases: [],
        remote: false,
        parent: extra.parent,
    };
}
