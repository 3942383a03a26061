import * as pulumi from "@pulumi/pulumi";
import { RagStack } from "@ragstack/pulumi-rag-platform";

const config = new pulumi.Config();

const stack = new RagStack("rag", {
    target: "aws",
    environment: "staging",
    domain: config.require("domain"),
    overrides: {
        tags: { owner: "search-team", costCenter: "cc-7001", dataClassification: "internal", extra: {} },
        api: { image: "ghcr.io/example-gov/rag-api:1.4.2", maxReplicas: 4 },
        llm: { models: ["llama3.1:8b"], spot: true },
        aws: { region: "eu-west-1", backupRegion: "eu-central-1", hostedZoneId: config.require("hostedZoneId") },
        observability: { logRetentionDays: 90, alarmEmails: ["search-oncall@example.gov"] },
    },
});

export const url = stack.url;
export const databaseEndpoint = stack.databaseEndpoint;
export const secretRefs = stack.secretRefs;
