import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { AwsCommonArgs, AwsContext } from "./common";

export interface EcsClusterArgs extends AwsCommonArgs {
    /** VPC the resources are created in. */
    vpcId: pulumi.Input<string>;
    /** Private DNS namespace for service discovery (the LLM is `ollama.<namespace>`). @default "<prefix>.internal" */
    namespace?: string;
}

/** ECS cluster with Container Insights (enhanced) and a private Cloud Map namespace. */
export class EcsCluster extends pulumi.ComponentResource {
    /** ARN of the cluster. */
    readonly clusterArn: pulumi.Output<string>;
    /** Name of the cluster. */
    readonly clusterName: pulumi.Output<string>;
    /** Id of the Cloud Map namespace. */
    readonly namespaceId: pulumi.Output<string>;
    /** Name of the Cloud Map namespace (the endpoint is `ollama.<namespaceName>`). */
    readonly namespaceName: pulumi.Output<string>;

    constructor(name: string, args: EcsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super(typeToken("aws", "EcsCluster"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);
        const cluster = new aws.ecs.Cluster(
            ctx.childName("cluster"),
            { name: ctx.physical("cluster"), settings: [{ name: "containerInsights", value: "enhanced" }], tags: ctx.tags("cluster") },
            ctx.opts(),
        );
        const ns = new aws.servicediscovery.PrivateDnsNamespace(
            ctx.childName("ns"),
            { name: args.namespace ?? `${ctx.prefix}.internal`, vpc: args.vpcId, description: "Service discovery for internal services", tags: ctx.tags("ns") },
            ctx.opts(),
        );
        this.clusterArn = cluster.arn;
        this.clusterName = cluster.name;
        this.namespaceId = ns.id;
        this.namespaceName = ns.name;
        this.registerOutputs({ clusterArn: this.clusterArn, namespaceName: this.namespaceName });
    }
}
