/**
 * A team that only wants the data tier on AWS and the LLM on its own cluster composes the
 * components itself, from the published package.
 */
import * as k8s from "@pulumi/kubernetes";
import { Cache, Database } from "@ragstack/pulumi-rag-platform/aws";
import { Llm } from "@ragstack/pulumi-rag-platform/kubernetes";

export function build(llmReplicas = 2) {
    const common = {
        environment: "production" as const,
        namePrefix: "team-x",
        tags: { Owner: "team-x", Environment: "production", DataClassification: "internal" },
    };
    const key = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
    const dataTier = {
        ...common,
        vpcId: "vpc-0123456789abcdef0",
        subnetIds: ["subnet-0c000001", "subnet-0c000002"],
        allowedSecurityGroupIds: ["sg-0a1b2c3d4e5f67890"],
        kmsKeyArn: key,
        logsKeyArn: key,
    };
    const db = new Database("team-db", { ...dataTier, backupRegion: "eu-central-1" });
    const cache = new Cache("team-cache", dataTier);
    const provider = new k8s.Provider("gpu-cluster", { context: "gpu" });
    const llm = new Llm("team-llm", {
        provider,
        environment: "production",
        namespace: "team-x-llm",
        image: "ollama/ollama:0.12.6",
        models: ["llama3.1:8b"],
        replicas: llmReplicas,
    });
    return { db, cache, llm };
}
