import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ProgramConfig } from "../environments/config";
import { resolveStackSettings, StackInput } from "../environments/resolve";
import type { AwsRagStack } from "../components/aws/stack";
import { typeToken } from "../components/core/naming";
import { withRenames } from "../components/core/renames";
import { RagStackComponent, StackDelivery } from "../components/core/outputs";
import { StackSettings } from "../components/settings";
import type { KubernetesRagStack } from "../components/kubernetes/stack";

/**
 * The target's stack, loaded when it is used: a Kubernetes stack never loads the AWS SDK and an
 * AWS stack never loads the Kubernetes SDK (each costs a tenth of a second or more per run).
 */
function targetStack(target: "aws"): typeof AwsRagStack;
function targetStack(target: "kubernetes"): typeof KubernetesRagStack;
function targetStack(target: "aws" | "kubernetes"): typeof AwsRagStack | typeof KubernetesRagStack {
    /* eslint-disable @typescript-eslint/no-require-imports */
    return target === "aws"
        ? (require("../components/aws/stack") as typeof import("../components/aws/stack")).AwsRagStack
        : (require("../components/kubernetes/stack") as typeof import("../components/kubernetes/stack")).KubernetesRagStack;
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
    /** What tools/pre-deploy-snapshot.sh and tools/rollback.sh read (the program's `delivery` output). */
    readonly delivery: pulumi.Output<StackDelivery>;

    constructor(name: string, args: RagStackArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveStackSettings(args, `RagStack ${name}`);
        super(typeToken("index", "RagStack"), name, {}, withRenames(opts));
        this.settings = settings;
        const inner =
            settings.target === "aws"
                ? new (targetStack("aws"))(`${name}-aws`, { settings }, { parent: this })
                : new (targetStack("kubernetes"))(`${name}-k8s`, { settings, provider: args.kubernetesProvider }, { parent: this });
        this.setOutputs(inner);
        this.delivery = inner.delivery as pulumi.Output<StackDelivery>;
        this.registerOutputs({ url: this.url });
    }
}

/**
 * What a program does with its resolved config (`settingsFromConfig`): on Kubernetes, a provider
 * for the configured context (or rendering to a folder), then the stack. Shared by `index.ts`
 * and the component package's `RagPlatform`, so that both build the same resources from the same
 * settings.
 */
export function ragStackFromProgram(program: ProgramConfig, opts?: pulumi.ComponentResourceOptions, providerName = "cluster"): RagStack {
    let kubernetesProvider: k8s.Provider | undefined;
    if (program.input.target === "kubernetes") {
        // Loaded here only: an AWS stack does not load the Kubernetes SDK.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Provider } = require("@pulumi/kubernetes") as typeof k8s;
        kubernetesProvider = new Provider(
            providerName,
            { context: program.kubernetes.context, renderYamlToDirectory: program.kubernetes.renderYamlDir, enableServerSideApply: true },
            opts?.parent ? { parent: opts.parent } : undefined,
        );
    }
    return new RagStack(program.input.name ?? "rag", { ...program.input, kubernetesProvider }, opts);
}
