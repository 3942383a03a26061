/**
 * What every whole-stack component outputs, declared once: the interface, and the base class the
 * facade (`RagStack`), `AwsRagStack` and `KubernetesRagStack` extend. Target-specific extras
 * stay on the target's class. The base registers nothing itself.
 */
import * as pulumi from "@pulumi/pulumi";

/** Where the stack is reached, its data stores and where its secrets live (never their values). */
export interface RagStackOutputs {
    /** Public HTTPS URL of the API. */
    readonly url: pulumi.Output<string>;
    /** Writer endpoint of PostgreSQL. */
    readonly databaseEndpoint: pulumi.Output<string>;
    /** Read-only endpoint of PostgreSQL (a replica, or the primary when there is none). */
    readonly databaseReaderEndpoint: pulumi.Output<string>;
    /** Endpoint of the cache. */
    readonly cacheEndpoint: pulumi.Output<string>;
    /** Internal URL of Ollama (undefined when the LLM is disabled). */
    readonly llmEndpoint: pulumi.Output<string | undefined>;
    /** Name of the documents bucket. */
    readonly documentsBucket: pulumi.Output<string>;
    /** Name of the backups bucket. */
    readonly backupsBucket: pulumi.Output<string>;
    /** Where secrets live (ARNs on AWS, namespace/name on Kubernetes), never their values. */
    readonly secretRefs: pulumi.Output<Record<string, string>>;
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
] as const satisfies readonly (keyof RagStackOutputs)[];

/** A component that outputs RagStackOutputs; subclasses set them with `setOutputs`. */
export abstract class RagStackComponent extends pulumi.ComponentResource implements RagStackOutputs {
    readonly url!: pulumi.Output<string>;
    readonly databaseEndpoint!: pulumi.Output<string>;
    readonly databaseReaderEndpoint!: pulumi.Output<string>;
    readonly cacheEndpoint!: pulumi.Output<string>;
    readonly llmEndpoint!: pulumi.Output<string | undefined>;
    readonly documentsBucket!: pulumi.Output<string>;
    readonly backupsBucket!: pulumi.Output<string>;
    readonly secretRefs!: pulumi.Output<Record<string, string>>;

    /** Sets every output at once (a missing one is a compile error). */
    protected setOutputs(outputs: RagStackOutputs): void {
        for (const k of RAG_STACK_OUTPUTS) (this as Record<keyof RagStackOutputs, unknown>)[k] = outputs[k];
    }
}
