/**
 * What every whole-stack component outputs, declared once: the interface, and the base class the
 * facade (`RagStack`), `AwsRagStack` and `KubernetesRagStack` extend. Target-specific extras
 * stay on the target's class. The base registers nothing itself.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * What other stacks attach to on AWS (read through a `StackReference`: `readAttachments`): the
 * network, the security groups to admit or be admitted by, the keys, the alarm topic, the cluster.
 */
export interface AwsAttachments {
    target: "aws";
    vpcId: string;
    vpcCidr: string;
    publicSubnetIds: string[];
    /** Where tasks run (NAT or endpoints only). */
    privateSubnetIds: string[];
    /** Where the data tier runs (no route out). */
    isolatedSubnetIds: string[];
    /** The S3 prefix list of the region (HTTPS egress to S3 through the gateway endpoint). */
    s3PrefixListId: string;
    securityGroups: {
        alb: string;
        api: string;
        database: string;
        /** Absent when the cache is disabled. */
        cache?: string;
        /** Absent when the LLM is disabled. */
        llm?: string;
    };
    /** Encrypts data (buckets, database, secrets, volumes). */
    dataKeyArn: string;
    /** Encrypts logs, the trail and the alarm topic. */
    logsKeyArn: string;
    alarmTopicArn: string;
    ecsClusterArn: string;
    ecsClusterName: string;
    /** Private DNS namespace of service discovery (`ollama.<namespace>`). */
    serviceDiscoveryNamespace: string;
}

/** What other stacks attach to on Kubernetes: the zones' namespaces and the workloads' service accounts. */
export interface KubernetesAttachments {
    target: "kubernetes";
    namespaces: { edge: string; app: string; data: string };
    /** Service accounts (namespace/name) a NetworkPolicy or RBAC rule of another stack can name. */
    serviceAccounts: { api: string; llm?: string };
    /** Pod labels of the API and the LLM (NetworkPolicy peers). */
    podSelectors: { api: Record<string, string>; llm?: Record<string, string> };
}

/**
 * The `delivery` output of the program (index.ts), by target: what tools/pre-deploy-snapshot.sh
 * and tools/rollback.sh read with `pulumi stack output delivery --json`. Not one of the
 * RagStackOutputs (the component package does not carry it).
 */
export interface AwsDelivery {
    target: "aws";
    /** Take a snapshot before a deploy (`preDeploySnapshot`). */
    preDeploySnapshot: boolean;
    /** Days a pre-deploy snapshot is kept. */
    preDeploySnapshotRetentionDays: number;
    /** The RDS instance to snapshot. */
    dbInstanceIdentifier: string;
    /** `rolling` or `blueGreen` (ECS rolls back by itself: circuit breaker and deployment alarms). */
    apiDeploymentStrategy: string;
    ecsCluster: string;
    ecsService: string;
}
export interface KubernetesDelivery {
    target: "kubernetes";
    preDeploySnapshot: boolean;
    preDeploySnapshotRetentionDays: number;
    /** The CloudNativePG cluster a `Backup` is taken of, and its namespace. */
    cnpgNamespace: string;
    cnpgCluster: string;
    /** The API's Deployment that tools/rollback.sh rolls back, and its namespace. */
    apiNamespace: string;
    apiDeployment: string;
    /** Seconds without progress before the Deployment reports ProgressDeadlineExceeded. */
    progressDeadlineSeconds: number;
}
export type StackDelivery = AwsDelivery | KubernetesDelivery;

/** What other stacks attach to, by target (`target` tells which). */
export type StackAttachments = AwsAttachments | KubernetesAttachments;

/**
 * The `attachments` output of a RAG stack, read through a StackReference and checked: a stack of
 * another target, or one from before this output existed, fails with a message saying which.
 */
export function readAttachments<T extends StackAttachments["target"]>(
    ref: pulumi.StackReference,
    target: T,
): pulumi.Output<Extract<StackAttachments, { target: T }>> {
    return pulumi.all([ref.name, ref.requireOutput("attachments")]).apply(([name, a]: [string, unknown]) => {
        const got = (a as { target?: unknown } | undefined)?.target;
        if (got !== target) throw new Error(`stack ${name}: attachments are for target ${JSON.stringify(got)}, not ${JSON.stringify(target)}`);
        return a as Extract<StackAttachments, { target: T }>;
    });
}

/** Where the stack is reached, its data stores and where its secrets live (never their values). */
export interface RagStackOutputs {
    /** Public HTTPS URL of the API. */
    readonly url: pulumi.Output<string>;
    /** Writer endpoint of PostgreSQL. */
    readonly databaseEndpoint: pulumi.Output<string>;
    /** Read-only endpoint of PostgreSQL (a replica, or the primary when there is none). */
    readonly databaseReaderEndpoint: pulumi.Output<string>;
    /** Endpoint of the cache (undefined when the cache is disabled). */
    readonly cacheEndpoint: pulumi.Output<string | undefined>;
    /** Internal URL of Ollama (undefined when the LLM is disabled). */
    readonly llmEndpoint: pulumi.Output<string | undefined>;
    /** Name of the documents bucket. */
    readonly documentsBucket: pulumi.Output<string>;
    /** Name of the backups bucket. */
    readonly backupsBucket: pulumi.Output<string>;
    /** Where secrets live (ARNs on AWS, namespace/name on Kubernetes), never their values. */
    readonly secretRefs: pulumi.Output<Record<string, string>>;
    /** What other stacks attach to (network, security groups, keys, namespaces…), by target. */
    readonly attachments: pulumi.Output<StackAttachments>;
}

/** The names of the RagStackOutputs, in the order the program exports them. */
export const RAG_STACK_OUTPUTS = [
    "url",
    "databaseEndpoint",
    "databaseReaderEndpoint",
    "cacheEndpoint",
    "llmEndpoint",
    "documentsBucket",
    "backupsBucket",
    "secretRefs",
    "attachments",
] as const satisfies readonly (keyof RagStackOutputs)[];

/** A component that outputs RagStackOutputs; subclasses set them with `setOutputs`. */
export abstract class RagStackComponent extends pulumi.ComponentResource implements RagStackOutputs {
    readonly url!: pulumi.Output<string>;
    readonly databaseEndpoint!: pulumi.Output<string>;
    readonly databaseReaderEndpoint!: pulumi.Output<string>;
    readonly cacheEndpoint!: pulumi.Output<string | undefined>;
    readonly llmEndpoint!: pulumi.Output<string | undefined>;
    readonly documentsBucket!: pulumi.Output<string>;
    readonly backupsBucket!: pulumi.Output<string>;
    readonly secretRefs!: pulumi.Output<Record<string, string>>;
    readonly attachments!: pulumi.Output<StackAttachments>;

    /** Sets every output at once (a missing one is a compile error). */
    protected setOutputs(outputs: RagStackOutputs): void {
        for (const k of RAG_STACK_OUTPUTS) (this as Record<keyof RagStackOutputs, unknown>)[k] = outputs[k];
    }
}
