import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { resolveStackSettings, StackInput } from "../environments/resolve";
import type { AwsRagStack } from "./aws/stack";
import { typeToken } from "./core/naming";
import { RagStackComponent } from "./core/outputs";
import { StackSettings } from "./core/types";
import type { KubernetesRagStack } from "./kubernetes/stack";

/**
 * The target's stack, loaded when it is used: a Kubernetes stack never loads the AWS SDK and an
 * AWS stack never loads the Kubernetes SDK (each costs a tenth of a second or more per run).
 */
function targetStack(target: "aws"): typeof AwsRagStack;
function targetStack(target: "kubernetes"): typeof KubernetesRagStack;
function targetStack(target: "aws" | "kubernetes"): typeof AwsRagStack | typeof KubernetesRagStack {
    /* eslint-disable @typescript-eslint/no-require-imports */
    return target === "aws"
        ? (require("./aws/stack") as typeof import("./aws/stack")).AwsRagStack
        : (require("./kubernetes/stack") as typeof import("./kubernetes/stack")).KubernetesRagStack;
    /* eslint-enable @typescript-eslint/no-require-imports */
}

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
                ? new (targetStack("aws"))(`${name}-aws`, { settings }, { parent: this })
                : new (targetStack("kubernetes"))(`${name}-k8s`, { settings, provider: args.kubernetesProvider }, { parent: this });
        this.setOutputs(inner);
        this.registerOutputs({ url: this.url });
    }
}
