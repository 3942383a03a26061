import * as assert from "assert";
import * as path from "path";
import { plan } from "../testing/plan";
import { repoRoot } from "../testing/program";
import { IMAGE_LOCK } from "../components/core/images";

/** "@<digest>" of a default image once images.lock.json has it (the release fills it), "" before. */
const pin = (name: string) => (IMAGE_LOCK.images[name].digest ? `@${IMAGE_LOCK.images[name].digest}` : "");

describe("examples compile and plan with zero mandatory violations", () => {
    it("aws-staging: the whole stack on AWS, with the example's overrides", async () => {
        const r = await plan({ dir: path.join(repoRoot(), "examples/aws-staging"), stack: "example" });
        assert.strictEqual(r.document.policy.passed, true);
        assert.deepStrictEqual([r.document.target, r.document.environment], ["aws", "staging"]);
        const target = r.records.find((x) => x.type === "aws:appautoscaling/target:Target")!;
        assert.strictEqual((target.inputs as any).maxCapacity, 4);
        const asg = r.records.find((x) => x.type === "aws:autoscaling/group:Group")!;
        assert.ok((asg.inputs as any).mixedInstancesPolicy, "spot GPU capacity");
    });

    it("onprem-production: the whole stack on Kubernetes through the registry mirror, production config", async () => {
        const r = await plan({
            dir: path.join(repoRoot(), "examples/onprem-production"),
            stack: "example",
            policyConfigFile: "policies/config/production.json",
        });
        assert.strictEqual(r.document.policy.passed, true);
        assert.deepStrictEqual([r.document.target, r.document.environment], ["kubernetes", "production"]);
        const ollama = r.records.find((x) => x.type === "kubernetes:apps/v1:StatefulSet" && String((x.inputs as any).metadata.name).startsWith("ollama-"))!;
        const pod = (ollama.inputs as any).spec.template.spec;
        assert.strictEqual(pod.containers[0].image, `harbor.internal.example.gov/mirror/docker.io/ollama/ollama:0.12.6${pin("ollama")}`);
        assert.strictEqual(pod.containers[0].resources.limits["nvidia.com/gpu"], "2");
        assert.strictEqual(pod.runtimeClassName, "nvidia");
    });

    it("byo-vpc-and-cluster: single components on existing infrastructure create no network and no key", async () => {
        const r = await plan({
            dir: path.join(repoRoot(), "examples/byo-vpc-and-cluster"),
            stack: "example",
            policyConfigFile: "policies/config/production.json",
        });
        assert.strictEqual(r.document.policy.passed, true);
        assert.strictEqual(r.document.target, "aws+kubernetes");
        for (const t of ["aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet"]) assert.ok(!r.records.some((x) => x.type === t), t);
        const primary = r.records.find((x) => x.type === "aws:rds/instance:Instance" && x.name.endsWith("primary"))!;
        assert.strictEqual((primary.inputs as any).kmsKeyId, "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555");
        assert.ok(r.records.some((x) => x.type === "ragstack:kubernetes:Llm"));
        assert.ok(!r.records.some((x) => x.type === "ragstack:kubernetes:Api"));
    });

    it("stack-reference: another team's stack attaches to a RAG stack through its typed attachments output", async () => {
        // The RAG stack's real outputs (its production plan), as the StackReference reads them.
        const rag = await plan({ stack: "production", target: "aws" });
        const attachments = rag.document.outputs.attachments as any;
        assert.strictEqual(attachments.target, "aws");
        const r = await plan({
            dir: path.join(repoRoot(), "examples/stack-reference"),
            stack: "example",
            policyConfigFile: "policies/config/production.json",
            stackReferences: { "organization/rag-platform/production": rag.document.outputs },
        });
        assert.strictEqual(r.document.policy.passed, true, JSON.stringify(r.document.policy.violations));
        const byName = (type: string, name: string) => r.records.find((x) => x.type === type && x.name === name)!.inputs as any;
        assert.strictEqual(byName("aws:ec2/securityGroup:SecurityGroup", "reporting").vpcId, attachments.vpcId);
        assert.strictEqual(
            byName("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "reporting-to-db").referencedSecurityGroupId,
            attachments.securityGroups.database,
        );
        assert.strictEqual(byName("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "reporting-s3").prefixListId, attachments.s3PrefixListId);
        assert.strictEqual(byName("aws:cloudwatch/logGroup:LogGroup", "reporting").kmsKeyId, attachments.logsKeyArn);
        assert.deepStrictEqual(byName("aws:cloudwatch/metricAlarm:MetricAlarm", "reporting-errors").alarmActions, [attachments.alarmTopicArn]);
        assert.deepStrictEqual(r.document.outputs.subnetIds, attachments.privateSubnetIds);
        // every attachment is a real value of the RAG stack (no placeholder slipped through)
        for (const [k, v] of Object.entries(attachments)) assert.ok(v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0), k);
    });

    it("stack-reference: a reference to a stack of the other target fails with a message saying so", async () => {
        const rag = await plan({ stack: "staging", target: "kubernetes" });
        assert.strictEqual((rag.document.outputs.attachments as any).target, "kubernetes");
        await assert.rejects(
            plan({
                dir: path.join(repoRoot(), "examples/stack-reference"),
                stack: "example",
                stackReferences: { "organization/rag-platform/production": rag.document.outputs },
            }),
            /stack organization\/rag-platform\/production: attachments are for target "kubernetes", not "aws"/,
        );
    });
});
