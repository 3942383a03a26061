import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { resolveStackSettings, StackInput } from "../environments/resolve";
import { AwsRagStack } from "./aws/stack";
import { typeToken } from "./core/naming";
import { StackSettings } from "./core/types";
import { KubernetesRagStack } from "./kubernetes/stack";

export interface RagStackArgs extends StackInput {
    /** Kubernetes target: the provider of the cluster. @default a provider for the current kubeconfig context */
    kubernetesProvider?: k8s.Provider;
}

/**
 * The cloud-neutral facade: one args shape (target, environment, domain, overrides) deploys the
 * RAG stack to AWS or to Kubernetes. Input is resolved against the environment preset and
 * validated before any resource is registered.
 */
export class RagStack extends pulumi.ComponentResource {
    /** The resolved settings this stack was built from. */
    readonly settings: StackSettings;
    /** Public HTTPS URL of the API. */
    readonly url: pulumi.Output<string>;
    /** Writer endpoint of PostgreSQL. */
    readonly databaseEndpoint: pulumi.Output<string>;
    /** Read-only endpoint of PostgreSQL (the replica, or the primary when there is none). */
    readonly databaseReaderEndpoint: pulumi.Output<string>;
    /** Endpoint of the cache. */
    readonly cacheEndpoint: pulumi.Output<string>;
    /** Internal URL of Ollama (undefined when the LLM is disabled). */
    readonly llmEndpoint: pulumi.Output<string | undefined>;
    /** Name of the documents bucket. */
    readonly documentsBucket: pulumi.Output<string>;
    /** Name of the backups bucket. */
    readonly backupsBucket: pulumi.Output<string>;
    /** Where secrets live (ARNs or Secret names), never their values. */
    readonly secretRefs: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: RagStackArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveStackSettings(args, `RagStack ${name}`);
        super(typeToken("index", "RagStack"), name, {}, opts);
        this.settings = settings;
        const inner =
            settings.target === "aws"
                ? new AwsRagStack(`${name}-aws`, { settings }, { parent: this })
                : new KubernetesRagStack(`${name}-k8s`, { settings, provider: args.kubernetesProvider }, { parent: this });
        this.url = inner.url;
        this.databaseEndpoint = inner.databaseEndpoint;
        this.databaseReaderEndpoint = inner.databaseReaderEndpoint;
        this.cacheEndpoint = inner.cacheEndpoint;
        this.llmEndpoint = inner.llmEndpoint;
        this.documentsBucket = inner.documentsBucket;
        this.backupsBucket = inner.backupsBucket;
        this.secretRefs = inner.secretRefs;
        this.registerOutputs({ url: this.url });
    }
}
