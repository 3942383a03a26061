import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { resolveStackSettings, StackInput } from "../environments/resolve";
import { AwsRagStack } from "./aws/stack";
import { typeToken } from "./core/naming";
import { RagStackComponent } from "./core/outputs";
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
export class RagStack extends RagStackComponent {
    /** The resolved settings this stack was built from. */
    readonly settings: StackSettings;

    constructor(name: string, args: RagStackArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveStackSettings(args, `RagStack ${name}`);
        super(typeToken("index", "RagStack"), name, {}, opts);
        this.settings = settings;
        const inner =
            settings.target === "aws"
                ? new AwsRagStack(`${name}-aws`, { settings }, { parent: this })
                : new KubernetesRagStack(`${name}-k8s`, { settings, provider: args.kubernetesProvider }, { parent: this });
        this.setOutputs(inner);
        this.registerOutputs({ url: this.url });
    }
}
