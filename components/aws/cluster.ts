import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { accountIdOf, AwsCommonArgs, AwsContext, ECR_PUBLIC_CACHE_PREFIX } from "./common";

export interface EcsClusterArgs extends AwsCommonArgs {
    /** VPC the resources are created in. */
    vpcId: pulumi.Input<string>;
    /** Private DNS namespace for service discovery (the LLM is `ollama.<namespace>`). @default "<prefix>.internal" */
    namespace?: string;
    /**
     * An ECR pull-through cache of ECR Public (`<account>.dkr.ecr.<region>.amazonaws.com/ecr-public/...`):
     * tasks without internet egress pull AWS-published images (the psql and AWS CLI helpers)
     * through the VPC's ECR endpoints; ECR fetches them upstream. @default false
     */
    ecrPublicCache?: boolean;
}

/** ECS cluster with Container Insights (enhanced), a private Cloud Map namespace and, optionally, a pull-through cache of ECR Public. */
export class EcsCluster extends pulumi.ComponentResource {
    /** ARN of the cluster. */
    readonly clusterArn: pulumi.Output<string>;
    /** Name of the cluster. */
    readonly clusterName: pulumi.Output<string>;
    /** Id of the Cloud Map namespace. */
    readonly namespaceId: pulumi.Output<string>;
    /** Name of the Cloud Map namespace (the endpoint is `ollama.<namespaceName>`). */
    readonly namespaceName: pulumi.Output<string>;
    /** Registry host of the pull-through cache (`viaEcrPublicCache`), when `ecrPublicCache`. */
    readonly ecrPublicCacheRegistry: pulumi.Output<string | undefined>;

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
        this.ecrPublicCacheRegistry = args.ecrPublicCache ? this.createEcrPublicCache(ctx, args) : pulumi.output(undefined);
        this.clusterArn = cluster.arn;
        this.clusterName = cluster.name;
        this.namespaceId = ns.id;
        this.namespaceName = ns.name;
        this.registerOutputs({ clusterArn: this.clusterArn, namespaceName: this.namespaceName });
    }

    /**
     * The cache rule and the template of the repositories it creates (tag-mutable: the cache
     * refreshes tags from upstream; untagged images expire after 30 days). Encrypted with
     * AES-256: the images are public; a customer key would need a custom role for ECR.
     */
    private createEcrPublicCache(ctx: AwsContext, args: EcsClusterArgs): pulumi.Output<string> {
        new aws.ecr.PullThroughCacheRule(
            ctx.childName("ecr-public-cache"),
            { ecrRepositoryPrefix: ECR_PUBLIC_CACHE_PREFIX, upstreamRegistryUrl: "public.ecr.aws" },
            ctx.opts(),
        );
        new aws.ecr.RepositoryCreationTemplate(
            ctx.childName("ecr-public-cache"),
            {
                prefix: ECR_PUBLIC_CACHE_PREFIX,
                appliedFors: ["PULL_THROUGH_CACHE"],
                description: "Repositories of the ECR Public pull-through cache",
                imageTagMutability: "MUTABLE",
                encryptionConfigurations: [{ encryptionType: "AES256" }],
                lifecyclePolicy: JSON.stringify({
                    rules: [
                        {
                            rulePriority: 1,
                            description: "Untagged images after 30 days",
                            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 30 },
                            action: { type: "expire" },
                        },
                    ],
                }),
            },
            ctx.opts(),
        );
        const region = aws.getRegionOutput({}, { parent: this }).region;
        return pulumi.interpolate`${accountIdOf(args, this)}.dkr.ecr.${region}.amazonaws.com`;
    }
}
