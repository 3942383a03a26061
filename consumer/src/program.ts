/**
 * A team that only wants the data tier on AWS and the LLM on its own cluster composes the
 * components itself, from the published package.
 */
import * as k8s from "@pulumi/kubernetes";
import { Cache, Database } from "@ragstack/pulumi-rag-platform/aws";
import { Llm } from "@ragstack/pulumi-rag-platform/kubernetes";
import { defaultImage } from "@ragstack/pulumi-rag-platform/core";

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
        // The library's default Ollama image, with its digest once images.lock.json holds it.
        image: defaultImage("ollama"),
        models: ["llama3.1:8b"],
        replicas: llmReplicas,
    });
    return { db, cache, llm };
}
