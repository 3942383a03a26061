/** Runs the consumer program under the Pulumi SDK's mocks and asserts on what it registered. */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { allRules, buildPolicies, evaluate } from "@ragstack/pulumi-rag-platform/policies";
import { ValidationError } from "@ragstack/pulumi-rag-platform";
import { Database } from "@ragstack/pulumi-rag-platform/aws";
import { build } from "./program";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

async function main(): Promise<void> {
    const registered: Registered[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                return {
                    id: `${args.name}-id`,
                    state: { ...args.inputs, arn: `arn:aws:x:eu-west-1:123456789012:${args.name}`, address: `${args.name}.example`, identifier: args.name },
                };
            },
            call: (args) => (args.token === "aws:index/getCallerIdentity:getCallerIdentity" ? { accountId: "123456789012" } : args.inputs),
        },
        "consumer",
        "prod",
        false,
    );
    const out = build();
    await new Promise<void>((resolve) => pulumi.all([out.db.address, out.cache.primaryEndpoint, out.llm.endpoint]).apply(() => resolve()));
    await new Promise((r) => setTimeout(r, 200));

    const types = registered.map((r) => r.type);
    assert.ok(types.includes("ragstack:aws:Database") && types.includes("ragstack:aws:Cache") && types.includes("ragstack:kubernetes:Llm"));
    assert.ok(!types.some((t) => t.startsWith("ragstack:aws:Network") || t === "aws:ec2/vpc:Vpc"), "composing single components creates no network");
    const primary = registered.find((r) => r.type === "aws:rds/instance:Instance" && r.name.endsWith("primary"))!;
    assert.strictEqual(primary.inputs.storageEncrypted, true);
    assert.strictEqual(primary.inputs.multiAz, true);
    assert.strictEqual(primary.inputs.deletionProtection, true);
    const cache = registered.find((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup")!;
    assert.strictEqual(cache.inputs.transitEncryptionEnabled, true);
    // The LLM: a StatefulSet with a model volume per replica, one GPU per Pod, a read-only root.
    const ollama = registered.find((r) => r.type === "kubernetes:apps/v1:StatefulSet");
    assert.ok(ollama, `the LLM is a StatefulSet; registered: ${[...new Set(types)].join(", ")}`);
    const server = ollama.inputs.spec.template.spec.containers[0];
    assert.strictEqual(server.resources.limits["nvidia.com/gpu"], "1");
    assert.strictEqual(server.securityContext.readOnlyRootFilesystem, true);
    assert.strictEqual(ollama.inputs.spec.replicas, 2);
    assert.strictEqual(ollama.inputs.spec.volumeClaimTemplates[0].spec.accessModes[0], "ReadWriteOnce");

    // The policy rules ship with the package and evaluate the consumer's own resources.
    assert.ok(allRules.length >= 60);
    const result = await evaluate(
        buildPolicies(),
        registered.map((r, i) => ({ urn: `urn:${i}`, type: r.type, name: r.name, props: r.inputs })),
    );
    // The only mandatory finding: the LLM's namespace has no NetworkPolicies, because this consumer
    // did not create any (the full stack's Baseline, or the byo example, does).
    assert.deepStrictEqual(
        result.mandatory.map((v) => v.policy),
        ["kubernetes-networking-networkpolicy-require-workload-coverage"],
    );

    // Bad input still fails fast with a named field.
    assert.throws(
        () => new Database("bad", { environment: "staging", vpcId: "v", subnetIds: [], allowedSecurityGroupIds: [], kmsKeyArn: "k", logsKeyArn: "k" }),
        (e: unknown) => e instanceof ValidationError && e.issues.some((i) => i.field === "allowedSecurityGroupIds"),
    );
    console.log(
        `consumer check: ${registered.length} resources registered, ${result.violations.length} findings, the expected NetworkPolicy finding among them`,
    );
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
