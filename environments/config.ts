import { DeepPartial, StackSettings } from "../components/core/types";
import { ValidationError, ValidationIssue } from "../components/core/validation";
import { StackInput } from "./resolve";

/** Type of a stack config value, as declared in Pulumi.yaml. */
export type ConfigType = "string" | "integer" | "number" | "boolean" | "array";

/** One stack config key of the program and the settings path it overrides. */
export interface ConfigKey {
    key: string;
    /** Dotted path in StackSettings (empty for identity keys handled separately). */
    path: string;
    type: ConfigType;
    description: string;
    required?: boolean;
}

/**
 * Every stack config key the program reads. Pulumi.yaml declares exactly these (a test checks
 * both ways). `number` keys are declared as strings in Pulumi.yaml (it has no decimal type).
 */
export const CONFIG_KEYS: ConfigKey[] = [
    { key: "target", path: "", type: "string", description: "Where to deploy: aws or kubernetes.", required: true },
    { key: "environment", path: "", type: "string", description: "Preset: staging or production.", required: true },
    { key: "domain", path: "", type: "string", description: "Public host name of the API (TLS needs it).", required: true },
    { key: "name", path: "", type: "string", description: "Name prefix of every resource (default rag)." },
    { key: "apiImage", path: "api.image", type: "string", description: "API container image, pinned by tag or digest.", required: true },
    { key: "owner", path: "tags.owner", type: "string", description: "Owning team (Owner tag)." },
    { key: "costCenter", path: "tags.costCenter", type: "string", description: "Cost centre (CostCenter tag)." },
    { key: "dataClassification", path: "tags.dataClassification", type: "string", description: "public, internal, confidential or restricted." },
    { key: "protectData", path: "protectData", type: "boolean", description: "protect + retainOnDelete on stateful resources." },
    { key: "apiCpu", path: "api.cpu", type: "number", description: "vCPU per API task/pod (0.25..16)." },
    { key: "apiMemoryMiB", path: "api.memoryMiB", type: "integer", description: "Memory per API task/pod, MiB." },
    { key: "apiMinReplicas", path: "api.minReplicas", type: "integer", description: "Autoscaling minimum." },
    { key: "apiMaxReplicas", path: "api.maxReplicas", type: "integer", description: "Autoscaling maximum." },
    { key: "apiCpuTargetPercent", path: "api.cpuTargetPercent", type: "integer", description: "Autoscaling CPU target, percent." },
    { key: "apiImageManagedByCi", path: "api.imageManagedByCi", type: "boolean", description: "CI/CD owns the image tag after the first deploy." },
    { key: "llmEnabled", path: "llm.enabled", type: "boolean", description: "Deploy the Ollama LLM server." },
    { key: "llmImage", path: "llm.image", type: "string", description: "Ollama image, pinned." },
    { key: "llmModels", path: "llm.models", type: "array", description: "Models pulled before Ollama serves, e.g. [llama3.1:8b]." },
    { key: "llmDesiredNodes", path: "llm.desiredNodes", type: "integer", description: "GPU nodes/pods wanted." },
    { key: "llmMinNodes", path: "llm.minNodes", type: "integer", description: "GPU nodes minimum (0 = scale to zero)." },
    { key: "llmMaxNodes", path: "llm.maxNodes", type: "integer", description: "GPU nodes maximum." },
    { key: "llmInstanceType", path: "llm.instanceType", type: "string", description: "GPU instance type on AWS (g5.xlarge)." },
    { key: "llmSpot", path: "llm.spot", type: "boolean", description: "Spot GPU instances on AWS." },
    { key: "llmModelVolumeGiB", path: "llm.modelVolumeGiB", type: "integer", description: "Model cache volume, GiB." },
    { key: "dbInstanceClass", path: "database.instanceClass", type: "string", description: "RDS instance class." },
    { key: "dbStorageGiB", path: "database.storageGiB", type: "integer", description: "Database storage, GiB." },
    { key: "dbMaxStorageGiB", path: "database.maxStorageGiB", type: "integer", description: "Storage autoscaling ceiling, GiB (AWS)." },
    { key: "dbBackupRetentionDays", path: "database.backupRetentionDays", type: "integer", description: "Backup retention, days (1..35)." },
    { key: "dbMultiAz", path: "database.multiAz", type: "boolean", description: "Multi-AZ standby." },
    { key: "dbReadReplicas", path: "database.readReplicas", type: "integer", description: "Read replicas." },
    { key: "dbDeletionProtection", path: "database.deletionProtection", type: "boolean", description: "Deletion protection." },
    { key: "dbCrossRegionBackup", path: "database.crossRegionBackup", type: "boolean", description: "Replicate backups to a second region/store." },
    { key: "cacheNodeType", path: "cache.nodeType", type: "string", description: "ElastiCache node type." },
    { key: "cacheReplicas", path: "cache.replicas", type: "integer", description: "Cache replicas." },
    { key: "cacheAutomaticFailover", path: "cache.automaticFailover", type: "boolean", description: "Automatic failover (needs replicas)." },
    { key: "cacheSnapshotRetentionDays", path: "cache.snapshotRetentionDays", type: "integer", description: "Cache snapshot retention, days." },
    { key: "vpcCidr", path: "network.cidr", type: "string", description: "VPC CIDR (/16../20)." },
    { key: "azCount", path: "network.azCount", type: "integer", description: "Availability zones (2 or 3)." },
    { key: "natStrategy", path: "network.natStrategy", type: "string", description: "single or perAz NAT gateways." },
    { key: "allowedIngressCidrs", path: "network.allowedIngressCidrs", type: "array", description: "CIDRs allowed on 80/443 at the edge." },
    { key: "wafRateLimitPer5Min", path: "edge.rateLimitPer5Min", type: "integer", description: "Requests per 5 min per IP before blocking." },
    { key: "logRetentionDays", path: "observability.logRetentionDays", type: "integer", description: "Log retention, days." },
    { key: "alarmEmails", path: "observability.alarmEmails", type: "array", description: "E-mails subscribed to alarms." },
    { key: "awsBackupRegion", path: "aws.backupRegion", type: "string", description: "Region for replicated backups." },
    { key: "certificateArn", path: "aws.certificateArn", type: "string", description: "Existing ACM certificate ARN." },
    { key: "hostedZoneId", path: "aws.hostedZoneId", type: "string", description: "Route 53 zone for DNS validation and the alias." },
    { key: "kmsKeyArn", path: "aws.kmsKeyArn", type: "string", description: "Existing KMS key ARN (bring your own)." },
    { key: "alarmTopicArn", path: "aws.alarmTopicArn", type: "string", description: "Existing SNS topic ARN for alarms." },
    { key: "existingVpcId", path: "aws.existingVpc.vpcId", type: "string", description: "Existing VPC id (bring your own)." },
    { key: "existingVpcCidr", path: "aws.existingVpc.cidr", type: "string", description: "CIDR of the existing VPC." },
    { key: "existingPublicSubnetIds", path: "aws.existingVpc.publicSubnetIds", type: "array", description: "Existing public subnet ids." },
    { key: "existingPrivateSubnetIds", path: "aws.existingVpc.privateSubnetIds", type: "array", description: "Existing private subnet ids." },
    { key: "existingIsolatedSubnetIds", path: "aws.existingVpc.isolatedSubnetIds", type: "array", description: "Existing isolated subnet ids." },
    { key: "k8sNamespacePrefix", path: "kubernetes.namespacePrefix", type: "string", description: "Namespace prefix (<prefix>-edge/-app/-data)." },
    { key: "k8sStorageClass", path: "kubernetes.storageClass", type: "string", description: "StorageClass for volumes." },
    { key: "k8sEdgeMode", path: "kubernetes.edgeMode", type: "string", description: "gateway (Gateway API) or ingress." },
    { key: "k8sGatewayClassName", path: "kubernetes.gatewayClassName", type: "string", description: "GatewayClass name." },
    { key: "k8sIngressClassName", path: "kubernetes.ingressClassName", type: "string", description: "IngressClass name." },
    { key: "k8sClusterIssuer", path: "kubernetes.clusterIssuer", type: "string", description: "cert-manager ClusterIssuer." },
    { key: "k8sImageRegistry", path: "kubernetes.imageRegistry", type: "string", description: "Registry mirror for air-gapped clusters." },
    { key: "k8sObjectStorageMode", path: "kubernetes.objectStorageMode", type: "string", description: "external or in-cluster S3-compatible store." },
    { key: "k8sObjectStorageEndpoint", path: "kubernetes.objectStorageEndpoint", type: "string", description: "https:// endpoint of the external store." },
    { key: "k8sObjectStorageSecretName", path: "kubernetes.objectStorageSecretName", type: "string", description: "Secret with the external store's keys." },
    { key: "k8sMonitoring", path: "kubernetes.monitoring", type: "boolean", description: "Create ServiceMonitor/PodMonitor/PrometheusRule." },
    { key: "k8sLogicalBackup", path: "kubernetes.logicalBackup", type: "boolean", description: "pg_dump CronJob to the object store." },
    { key: "k8sGpuRuntimeClassName", path: "kubernetes.gpuRuntimeClassName", type: "string", description: "RuntimeClass for GPU pods." },
    {
        key: "k8sEdgeControllerNamespace",
        path: "kubernetes.edgeControllerNamespace",
        type: "string",
        description: "Namespace of the gateway/ingress controller.",
    },
    { key: "k8sContext", path: "", type: "string", description: "kubeconfig context of the target cluster (default: current)." },
    { key: "k8sRenderYamlDir", path: "", type: "string", description: "Render manifests to this folder instead of applying." },
];

/** Raw config reader: returns the string value of `key` or undefined. */
export type RawConfig = (key: string) => string | undefined;

/** What the program needs besides the settings. */
export interface ProgramConfig {
    input: StackInput;
    kubernetes: { context?: string; renderYamlDir?: string };
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
    const parts = path.split(".");
    let cur = obj;
    for (const p of parts.slice(0, -1)) {
        if (typeof cur[p] !== "object" || cur[p] === null) cur[p] = {};
        cur = cur[p] as Record<string, unknown>;
    }
    cur[parts[parts.length - 1]] = value;
}

/**
 * Parses stack config into the program's input. Type errors (a non-integer, a bad boolean, an
 * array that is not JSON) are reported for every key at once, naming the key and the value.
 */
export function parseConfig(raw: RawConfig, project = "rag-platform", awsRegion?: string): ProgramConfig {
    const issues: ValidationIssue[] = [];
    const overrides: Record<string, unknown> = {};
    const values: Record<string, unknown> = {};
    for (const k of CONFIG_KEYS) {
        const text = raw(k.key);
        if (text === undefined || text === "") {
            if (k.required) issues.push({ field: `${project}:${k.key}`, value: undefined, allowed: k.description });
            continue;
        }
        let value: unknown = text;
        switch (k.type) {
            case "integer":
                value = /^-?\d+$/.test(text.trim()) ? Number(text) : NaN;
                if (Number.isNaN(value)) issues.push({ field: `${project}:${k.key}`, value: text, allowed: "an integer" });
                break;
            case "number":
                value = Number(text);
                if (text.trim() === "" || Number.isNaN(value)) issues.push({ field: `${project}:${k.key}`, value: text, allowed: "a number" });
                break;
            case "boolean":
                if (text !== "true" && text !== "false") issues.push({ field: `${project}:${k.key}`, value: text, allowed: "true or false" });
                value = text === "true";
                break;
            case "array":
                try {
                    value = JSON.parse(text);
                    if (!Array.isArray(value) || !(value as unknown[]).every((x) => typeof x === "string")) throw new Error();
                } catch {
                    issues.push({ field: `${project}:${k.key}`, value: text, allowed: "a list of strings" });
                }
                break;
        }
        values[k.key] = value;
        if (k.path) setPath(overrides, k.path, value);
    }
    if (awsRegion) setPath(overrides, "aws.region", awsRegion);
    if (issues.length > 0) throw new ValidationError("stack config", issues);
    return {
        input: {
            target: values.target as StackInput["target"],
            environment: values.environment as StackInput["environment"],
            domain: values.domain as string,
            name: values.name as string | undefined,
            overrides: overrides as DeepPartial<StackSettings>,
        },
        kubernetes: { context: values.k8sContext as string | undefined, renderYamlDir: values.k8sRenderYamlDir as string | undefined },
    };
}
