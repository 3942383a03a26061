/**
 * Bring your own VPC and cluster: the data tier on AWS inside an existing VPC with an existing
 * key, and only the LLM on an existing Kubernetes cluster (the application runs elsewhere).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { aws, core, kubernetes } from "@ragstack/pulumi-rag-platform";

const config = new pulumi.Config();
const identity = {
    name: "search",
    environment: "production" as const,
    tags: { owner: "search-team", costCenter: "cc-7001", dataClassification: "confidential" as const, extra: {} },
};
const common = { environment: identity.environment, namePrefix: "search", tags: core.awsTags(identity) };
const kmsKeyArn = config.require("kmsKeyArn");
const isolated = config.requireObject<string[]>("isolatedSubnetIds");
const appSg = config.require("appSecurityGroupId");

// Where the data tier goes and who may reach it: the same for the database and the cache.
const dataTier = { ...common, vpcId: config.require("vpcId"), subnetIds: isolated, allowedSecurityGroupIds: [appSg], kmsKeyArn, logsKeyArn: kmsKeyArn };

const db = new aws.Database("search-db", { ...dataTier, instanceClass: "db.r6g.large", backupRegion: "eu-central-1" });
const cache = new aws.Cache("search-cache", dataTier);
const storage = new aws.Storage("search-storage", { ...common, kmsKeyArn });
// The generated Valkey AUTH token and the RDS-managed master password, watched for age (alarms to
// the team's topic when one passes 90 days unrotated).
new aws.SecretAgeCheck("search-secret-age", {
    ...common,
    secretArns: { "cache-auth": cache.authSecretArn, "db-master": db.masterSecretArn },
    alarmTopicArn: config.require("alarmTopicArn"),
    logsKeyArn: kmsKeyArn,
});

// Only the LLM, on a GPU cluster you already run. The namespace is Pod-Security-restricted and
// denies all traffic but the application's namespace on 11434, DNS, and HTTPS for model pulls.
const cluster = new k8s.Provider("existing-cluster", { context: "gpu-cluster" });
const labels = core.k8sLabels(identity, "llm");
const ns = new k8s.core.v1.Namespace(
    "llm",
    { metadata: { name: "llm", labels: { ...labels, "pod-security.kubernetes.io/enforce": "restricted" } } },
    { provider: cluster },
);
new k8s.networking.v1.NetworkPolicy(
    "llm-default-deny",
    { metadata: { name: "default-deny-all", namespace: ns.metadata.name }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
    { provider: cluster },
);
new k8s.networking.v1.NetworkPolicy(
    "llm-allow",
    {
        metadata: { name: "ollama", namespace: ns.metadata.name },
        spec: {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "ollama" } },
            policyTypes: ["Ingress", "Egress"],
            ingress: [
                { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "search-app" } } }], ports: [{ protocol: "TCP", port: 11434 }] },
            ],
            egress: [
                {
                    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
                    ports: [
                        { protocol: "UDP", port: 53 },
                        { protocol: "TCP", port: 53 },
                    ],
                },
                { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
            ],
        },
    },
    { provider: cluster },
);
const llm = new kubernetes.Llm("search-llm", {
    provider: cluster,
    environment: "production",
    namespace: ns.metadata.name,
    // The library's default Ollama image, by digest once images.lock.json holds it.
    image: core.defaultImage("ollama"),
    models: ["llama3.1:8b"],
    replicas: 2,
    labels,
});

export const databaseEndpoint = db.address;
export const databaseSecretArn = db.masterSecretArn;
export const cacheEndpoint = cache.primaryEndpoint;
export const documentsBucket = storage.documentsBucket;
export const llmEndpoint = llm.endpoint;
