import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { defaultImage } from "../core/images";
import { gpuInstanceMemoryMiB } from "../core/sizing";
import { Validator } from "../core/validation";
import { checkGpuInstance, checkLlmNodes, checkLogRetention, defaultsFor, LLM_LIMITS, postureFor } from "../settings";
import {
    awsWhere,
    admittingSecurityGroup,
    assumeRolePolicy,
    AwsCommonArgs,
    AwsContext,
    ECR_PRIVATE_IMAGE,
    ecrPullStatements,
    HttpsEgress,
    httpsEgressRules,
    managedPolicyArn,
    policyDocument,
} from "./common";

/** Image that copies staged models from S3 (the AWS CLI, from ECR Public: `public.ecr.aws/aws-cli/aws-cli:2.31.18`, with its digest from images.lock.json). */
export const DEFAULT_MODEL_SYNC_IMAGE = defaultImage("aws-model-sync");

/** Starts Ollama in the background and waits for it (up to two minutes): the prefix of a model step's script. */
const OLLAMA_UP = "ollama serve >/tmp/serve.log 2>&1 & for i in $(seq 1 60); do ollama list >/dev/null 2>&1 && break; sleep 2; done;";

/**
 * A non-essential container that runs to completion before the next (after `after`): the
 * unprivileged user, a read-only root, the model volume and the task's scratch, every capability
 * dropped, its own log stream. The field order is the task definition's (a reorder is a new revision).
 */
function preparationStep(
    name: string,
    image: pulumi.Input<string>,
    after: string,
    log: (prefix: string) => unknown,
    run: { entryPoint?: string[]; command: pulumi.Input<string>[]; environment: { name: string; value: pulumi.Input<string> }[] },
): Record<string, unknown> {
    return {
        name,
        image,
        essential: false,
        user: "10001:10001",
        ...(run.entryPoint ? { entryPoint: run.entryPoint } : {}),
        command: run.command,
        environment: run.environment,
        readonlyRootFilesystem: true,
        mountPoints: [
            { sourceVolume: "models", containerPath: "/models" },
            { sourceVolume: "tmp", containerPath: "/tmp" },
        ],
        dependsOn: [{ containerName: after, condition: "SUCCESS" }],
        linuxParameters: { capabilities: { drop: ["ALL"] } },
        logConfiguration: log(name),
    };
}

/** Where models come from when they are staged in S3 instead of pulled from the Ollama registry. */
export interface StagedModels {
    /** Bucket holding the staged models (`<prefix>blobs/…`, `<prefix>manifests/…`: an OLLAMA_MODELS tree). */
    bucketName: pulumi.Input<string>;
    /** ARN of the bucket. */
    bucketArn: pulumi.Input<string>;
    /** KMS key of the bucket (decrypted through S3 only). */
    kmsKeyArn: pulumi.Input<string>;
    /** Key prefix of the tree. @default "ollama/models/" */
    prefix?: string;
    /** AWS CLI image that copies them. @default DEFAULT_MODEL_SYNC_IMAGE */
    syncImage?: pulumi.Input<string>;
}

/** SSM parameter of the ECS GPU-optimized Amazon Linux 2 AMI. */
export const GPU_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2/gpu/recommended/image_id";

/** CloudWatch namespace of the GPU metrics the instances' CloudWatch agent publishes (nvidia_gpu plugin). */
export const GPU_METRICS_NAMESPACE = "RagStack/GPU";

/** The dimension the GPU metrics are aggregated by: the fleet (one per stack), a fixed value. */
export const GPU_FLEET_DIMENSION = "GpuFleet";

/** What the agent's nvidia_gpu plugin measures; it publishes each as `nvidia_smi_<measurement>`. */
export const GPU_AGENT_MEASUREMENTS = ["utilization_gpu", "memory_used", "memory_total", "temperature_gpu"] as const;

/**
 * The CloudWatch agent's configuration on the GPU instances: NVIDIA GPU utilisation, memory and
 * temperature every 60 s, aggregated per fleet (the alarms' dimension).
 *
 * The fleet dimension is a fixed value appended by the plugin, not the agent's
 * `${aws:AutoScalingGroupName}` placeholder: that one is read with `ec2:DescribeTags`, an EC2 API
 * call that hosts without internet egress cannot make (no EC2 endpoint), and the agent then drops
 * every metric. The instance placeholders come from instance metadata and need no call.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Agent-Configuration-File-Details.html
 */
export function gpuAgentConfig(fleet: string): Record<string, unknown> {
    return {
        agent: { metrics_collection_interval: 60, run_as_user: "cwagent" },
        metrics: {
            namespace: GPU_METRICS_NAMESPACE,
            aggregation_dimensions: [[GPU_FLEET_DIMENSION]],
            metrics_collected: { nvidia_gpu: { measurement: [...GPU_AGENT_MEASUREMENTS], append_dimensions: { [GPU_FLEET_DIMENSION]: fleet } } },
        },
    };
}
/** Ollama's port. */
export const OLLAMA_PORT = 11434;

export interface LlmArgs extends AwsCommonArgs {
    /** VPC the resources are created in. */
    vpcId: pulumi.Input<string>;
    /** Private subnets for the GPU instances and tasks. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** ARN of the ECS cluster. */
    clusterArn: pulumi.Input<string>;
    /** Name of the cluster. */
    clusterName: pulumi.Input<string>;
    /** Cloud Map namespace; Ollama registers as `ollama.<namespace>`. */
    namespaceId: pulumi.Input<string>;
    /** Name of the Cloud Map namespace (the endpoint is `ollama.<namespaceName>`). */
    namespaceName: pulumi.Input<string>;
    /** Security groups allowed on 11434 (the API). Nothing else reaches Ollama. */
    allowedSecurityGroupIds: pulumi.Input<string>[];
    /** KMS key for the EBS volumes. */
    kmsKeyArn: pulumi.Input<string>;
    /** KMS key for the log group. */
    logsKeyArn: pulumi.Input<string>;
    /**
     * Service-linked role the Auto Scaling group launches instances with: one the data key's policy
     * admits (`Keys.autoScalingRoleArn`), so that the encrypted volumes can be created.
     * @default the account's `AWSServiceRoleForAutoScaling` (then `kmsKeyArn`'s policy must admit it)
     */
    autoScalingServiceLinkedRoleArn?: pulumi.Input<string | undefined>;
    /**
     * AMI of the GPU instances (an ECS GPU-optimized AMI). Given, no `ssm:GetParameter` call is
     * made (a credential-less preview) and the AMI changes only when you change it.
     * @default the latest from the SSM parameter GPU_AMI_PARAMETER
     */
    amiId?: string;
    /** Ollama image, pinned. @default the environment preset's (`ollama/ollama:0.12.6` of images.lock.json, with its digest once resolved) */
    image?: string;
    /** Models pulled (or, with `stagedModels`, found staged) before the server takes traffic. */
    models: string[];
    /**
     * Where the tasks' and hosts' HTTPS may go: `"internet"` (the Ollama registry, Docker Hub), or
     * only the VPC's endpoints and S3: then `image` must be in ECR and the models staged in S3
     * (`stagedModels`). No default: choose.
     */
    httpsEgress: HttpsEgress;
    /** Copy the models from S3 before the server starts, instead of pulling them from the Ollama registry. @default none (pulled) */
    stagedModels?: StagedModels;
    /** The cluster has an ECR pull-through cache of ECR Public (`EcsCluster.ecrPublicCache`): the execution role may fill it. @default false */
    ecrPublicCache?: boolean;
    /** GPU instance type. @default "g5.xlarge" */
    instanceType?: string;
    /** GPUs per task. @default 1 */
    gpusPerTask?: number;
    /** Tasks (one per instance). @default 1 staging, 2 production */
    desiredCount?: number;
    /** Lowest instance count. @default 0 staging, 2 production */
    minInstances?: number;
    /** Highest instance count. @default 1 staging, 3 production */
    maxInstances?: number;
    /** Use Spot instances. @default false */
    spot?: boolean;
    /**
     * With `spot`: instances kept on-demand under the Spot ones, so a Spot reclaim cannot take
     * every GPU at once. @default 1 production, 0 staging
     */
    onDemandBaseCapacity?: number;
    /** Root volume (model cache) GiB. @default 100 */
    volumeGiB?: number;
    /** OLLAMA_KEEP_ALIVE. @default "24h" */
    keepAlive?: string;
    /** Days the component's logs are kept. @default 90 */
    logRetentionDays?: number;
    /**
     * Capacity providers the cluster already has (a cluster you bring). ECS keeps one list per
     * cluster and the association resource owns all of it, so these are kept in the list next to
     * FARGATE, FARGATE_SPOT and the GPU provider; a provider of the cluster not named here would
     * be removed. Pulumi cannot read a cluster's providers, hence the argument.
     * @default [] (the cluster is this stack's own)
     */
    existingCapacityProviders?: string[];
    /**
     * Associate the GPU capacity provider with the cluster (and own the cluster's provider list).
     * `false` when another program manages that list: add `capacityProviderName` to it there.
     * @default true
     */
    associateCapacityProvider?: boolean;
    /**
     * The cluster's default capacity provider strategy, used by services without their own.
     * @default [{ capacityProvider: "FARGATE", weight: 1, base: 0 }]
     */
    defaultCapacityProviderStrategies?: { capacityProvider: string; weight?: number; base?: number }[];
}

/** Sizes and defaults resolved from the args. */
interface Sizing {
    image: string;
    instanceType: string;
    gpus: number;
    desired: number;
    min: number;
    max: number;
    volume: number;
}

/** What every step of the constructor needs. */
interface StepInput {
    ctx: AwsContext;
    args: LlmArgs;
    s: Sizing;
    accountId: pulumi.Output<string>;
    region: pulumi.Output<string>;
    /** `aws`, `aws-us-gov` or `aws-cn`: the first field of every ARN built here. */
    partition: pulumi.Output<string>;
}

/**
 * Ollama on GPU EC2 instances under ECS: an Auto Scaling group from the ECS GPU-optimized AMI
 * (IMDSv2 only with hop limit 1, encrypted gp3 root volume sized for the model cache, no public
 * IP, SSM instead of SSH) behind an ECS capacity provider, and an ECS service that pulls the
 * configured models in an init container before Ollama starts. Reachable on 11434 only from the
 * API's security group, through Cloud Map (`ollama.<namespace>`).
 */
export class Llm extends pulumi.ComponentResource {
    /** Internal endpoint URL. */
    readonly endpoint: pulumi.Output<string>;
    /** Security group of the component (reference it to allow traffic). */
    readonly securityGroupId: pulumi.Output<string>;
    /** CloudWatch namespace of the GPU metrics (utilisation, memory, temperature per Auto Scaling group). */
    readonly gpuMetricsNamespace = GPU_METRICS_NAMESPACE;
    /** Name of the GPU Auto Scaling group. */
    readonly autoScalingGroupName: pulumi.Output<string>;
    /** Value of the `GpuFleet` dimension of the GPU metrics (in `gpuMetricsNamespace`). */
    readonly gpuFleetName: string;
    /** Name of the service. */
    readonly serviceName: pulumi.Output<string>;
    /** Name of the GPU capacity provider (to associate it yourself with `associateCapacityProvider: false`). */
    readonly capacityProviderName: pulumi.Output<string>;

    constructor(name: string, args: LlmArgs, opts?: pulumi.ComponentResourceOptions) {
        const s = Llm.validate(name, args);
        super(typeToken("aws", "Llm"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);
        const input: StepInput = {
            ctx,
            args,
            s,
            ...awsWhere(args, this),
        };

        const securityGroup = this.createSecurityGroup(input);
        const { asg, capacityProvider, association } = this.createGpuCapacity(input, securityGroup);
        const service = this.createService(input, securityGroup, capacityProvider, association);

        this.endpoint = pulumi.interpolate`http://ollama.${args.namespaceName}:${OLLAMA_PORT}`;
        this.securityGroupId = securityGroup.id;
        this.autoScalingGroupName = asg.name;
        this.gpuFleetName = ctx.physical("gpu");
        this.serviceName = service.name;
        this.capacityProviderName = capacityProvider.name;
        this.registerOutputs({ endpoint: this.endpoint, autoScalingGroupName: this.autoScalingGroupName, capacityProviderName: this.capacityProviderName });
    }

    /** Defaults applied and every argument checked; throws before anything is registered. */
    private static validate(name: string, args: LlmArgs): Sizing {
        const d = defaultsFor(args.environment).llm;
        const s: Sizing = {
            image: args.image ?? d.image,
            instanceType: args.instanceType ?? d.instanceType,
            gpus: args.gpusPerTask ?? d.gpusPerNode,
            desired: args.desiredCount ?? d.desiredNodes,
            min: args.minInstances ?? d.minNodes,
            max: args.maxInstances ?? d.maxNodes,
            volume: args.volumeGiB ?? 100,
        };
        const v = new Validator(`Llm ${name}`);
        v.image("image", s.image);
        if (!Array.isArray(args.models) || args.models.length === 0) v.fail("models", args.models, "at least one model such as llama3.1:8b");
        if (args.httpsEgress !== "internet") {
            if (!args.httpsEgress || typeof args.httpsEgress !== "object") v.fail("httpsEgress", args.httpsEgress, '"internet" or { vpcCidr, s3PrefixListId }');
            const ecr = "an image in private ECR (<account>.dkr.ecr.<region>.amazonaws.com/...): without internet egress the hosts reach ECR only";
            if (!ECR_PRIVATE_IMAGE.test(s.image)) v.fail("image", s.image, ecr);
            if (!args.stagedModels)
                v.fail("stagedModels", args.stagedModels, "the bucket the models are staged in: without internet egress the Ollama registry is out of reach");
            else if (
                typeof (args.stagedModels.syncImage ?? DEFAULT_MODEL_SYNC_IMAGE) === "string" &&
                !ECR_PRIVATE_IMAGE.test((args.stagedModels.syncImage ?? DEFAULT_MODEL_SYNC_IMAGE) as string)
            )
                v.fail("stagedModels.syncImage", args.stagedModels.syncImage ?? DEFAULT_MODEL_SYNC_IMAGE, ecr);
        }
        if (args.stagedModels?.prefix !== undefined)
            v.matches("stagedModels.prefix", args.stagedModels.prefix, /^([A-Za-z0-9._-]+\/)+$/, "a key prefix ending in '/', such as ollama/models/");
        v.int("gpusPerTask", s.gpus, ...LLM_LIMITS.gpusPerNode);
        checkGpuInstance(v, "instanceType", s.instanceType, "gpusPerTask", s.gpus);
        checkLogRetention(v, "logRetentionDays", args.logRetentionDays ?? 90);
        checkLlmNodes(v, { min: "minInstances", desired: "desiredCount", max: "maxInstances" }, s);
        v.int("volumeGiB", s.volume, ...LLM_LIMITS.modelVolumeGiB);
        if (args.onDemandBaseCapacity !== undefined) v.int("onDemandBaseCapacity", args.onDemandBaseCapacity, 0, s.max);
        if (args.amiId !== undefined) v.matches("amiId", args.amiId, /^ami-[0-9a-f]{8,17}$/, "an AMI id (ami-...)");
        if (!Array.isArray(args.allowedSecurityGroupIds) || args.allowedSecurityGroupIds.length === 0)
            v.fail("allowedSecurityGroupIds", args.allowedSecurityGroupIds, "at least one security group id (the API's)");
        const existing = args.existingCapacityProviders ?? [];
        if (!Array.isArray(existing) || existing.some((p) => typeof p !== "string" || !/^[A-Za-z0-9_-]{1,255}$/.test(p)))
            v.fail("existingCapacityProviders", existing, "capacity provider names (letters, digits, - and _)");
        const listed = new Set(["FARGATE", "FARGATE_SPOT", ...existing]);
        for (const [i, st] of (args.defaultCapacityProviderStrategies ?? []).entries())
            if (!listed.has(st.capacityProvider))
                v.fail(
                    `defaultCapacityProviderStrategies[${i}].capacityProvider`,
                    st.capacityProvider,
                    `one of the cluster's providers: ${[...listed].join(", ")}`,
                );
        v.throwIfAny();
        return s;
    }

    /** Ollama's security group (the hosts' and the tasks'): 11434 from the allowed groups only; out to HTTPS as `httpsEgress` says. */
    private createSecurityGroup({ ctx, args }: StepInput): aws.ec2.SecurityGroup {
        const sg = admittingSecurityGroup(ctx, {
            key: "llm",
            ruleKey: "llm-from-api",
            vpcId: args.vpcId,
            tier: "app",
            port: OLLAMA_PORT,
            what: "Ollama",
            from: "the API",
            sources: args.allowedSecurityGroupIds,
        });
        httpsEgressRules(ctx, "llm-https", sg.id, args.httpsEgress, "the model registry");
        return sg;
    }

    /** GPU instances: role and profile (ECS agent, SSM), launch template, Auto Scaling group and the ECS capacity provider. */
    private createGpuCapacity(
        { ctx, args, s, accountId, region, partition }: StepInput,
        sg: aws.ec2.SecurityGroup,
    ): { asg: aws.autoscaling.Group; capacityProvider: aws.ecs.CapacityProvider; association?: aws.ecs.ClusterCapacityProviders } {
        // Instance role: ECS agent and SSM Session Manager only (no SSH key, no port 22).
        const role = new aws.iam.Role(
            ctx.childName("instance"),
            { assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com"), description: "GPU container instances", tags: ctx.tags("gpu-instance") },
            ctx.opts(),
        );
        // The ECS agent: AWS's managed policy, which follows the agent's needs release by release.
        new aws.iam.RolePolicyAttachment(
            ctx.childName("instance-ecs"),
            { role: role.name, policyArn: managedPolicyArn(partition, "AmazonEC2ContainerServiceforEC2Role") },
            ctx.opts(),
        );
        // Session Manager for break-glass access, and nothing else of SSM: not the managed
        // AmazonSSMManagedInstanceCore, which also reads every parameter and document of the account.
        new aws.iam.RolePolicy(
            ctx.childName("instance-session-manager"),
            {
                role: role.id,
                policy: policyDocument([
                    {
                        Sid: "RegisterThisInstance",
                        Effect: "Allow",
                        Action: ["ssm:UpdateInstanceInformation"],
                        // SSM identifies the caller by its instance identity: it can only register itself.
                        Resource: pulumi.interpolate`arn:${partition}:ec2:${region}:${accountId}:instance/*`,
                    },
                    {
                        Sid: "SessionChannels",
                        Effect: "Allow",
                        Action: [
                            "ssmmessages:CreateControlChannel",
                            "ssmmessages:CreateDataChannel",
                            "ssmmessages:OpenControlChannel",
                            "ssmmessages:OpenDataChannel",
                        ],
                        Resource: "*",
                    },
                ]),
            },
            ctx.opts(),
        );
        // The CloudWatch agent publishes the GPU metrics: PutMetricData to its own namespace only.
        new aws.iam.RolePolicy(
            ctx.childName("instance-gpu-metrics"),
            {
                role: role.id,
                policy: policyDocument([
                    {
                        Sid: "GpuMetricsOnly",
                        Effect: "Allow",
                        Action: ["cloudwatch:PutMetricData"],
                        Resource: "*",
                        Condition: { StringEquals: { "cloudwatch:namespace": GPU_METRICS_NAMESPACE } },
                    },
                ]),
            },
            ctx.opts(),
        );
        const profile = new aws.iam.InstanceProfile(ctx.childName("instance"), { role: role.name, tags: ctx.tags("gpu-instance") }, ctx.opts());
        const amiId = args.amiId ? pulumi.output(args.amiId) : aws.ssm.getParameterOutput({ name: GPU_AMI_PARAMETER }, { parent: this }).value;
        const userData = pulumi.interpolate`#!/bin/bash
cat >> /etc/ecs/ecs.config <<'CONFIG'
ECS_CLUSTER=${args.clusterName}
ECS_ENABLE_GPU_SUPPORT=true
ECS_AWSVPC_BLOCK_IMDS=true
ECS_ENABLE_TASK_IAM_ROLE=true
ECS_ENABLE_SPOT_INSTANCE_DRAINING=${args.spot ? "true" : "false"}
ECS_CONTAINER_STOP_TIMEOUT=60s
CONFIG
# GPU utilisation and memory to CloudWatch (the agent's nvidia_gpu plugin).
yum install -y amazon-cloudwatch-agent
cat > /opt/aws/amazon-cloudwatch-agent/etc/ragstack-gpu.json <<'AGENT'
${JSON.stringify(gpuAgentConfig(ctx.physical("gpu")))}
AGENT
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/ragstack-gpu.json
`.apply((u) => Buffer.from(u).toString("base64"));
        const template = new aws.ec2.LaunchTemplate(
            ctx.childName("gpu"),
            {
                namePrefix: ctx.physical("gpu-"),
                imageId: amiId,
                instanceType: s.instanceType,
                iamInstanceProfile: { arn: profile.arn },
                userData,
                ebsOptimized: "true",
                monitoring: { enabled: true },
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
                networkInterfaces: [{ associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: [sg.id] }],
                blockDeviceMappings: [
                    {
                        deviceName: "/dev/xvda",
                        ebs: { volumeSize: s.volume, volumeType: "gp3", encrypted: "true", kmsKeyId: args.kmsKeyArn, deleteOnTermination: "true" },
                    },
                ],
                tagSpecifications: [
                    { resourceType: "instance", tags: ctx.tags("gpu") },
                    { resourceType: "volume", tags: ctx.tags("gpu-volume") },
                ],
                updateDefaultVersion: true,
                tags: ctx.tags("gpu-template"),
            },
            ctx.opts(),
        );
        const tags = Object.entries({ ...ctx.tags("gpu"), AmazonECSManaged: "true" }).map(([key, value]) => ({ key, value, propagateAtLaunch: true }));
        const asg = new aws.autoscaling.Group(
            ctx.childName("gpu"),
            {
                namePrefix: ctx.physical("gpu-"),
                vpcZoneIdentifiers: args.subnetIds,
                minSize: s.min,
                maxSize: s.max,
                desiredCapacity: s.min,
                protectFromScaleIn: true,
                healthCheckType: "EC2",
                defaultInstanceWarmup: 300,
                ...(args.autoScalingServiceLinkedRoleArn ? { serviceLinkedRoleArn: args.autoScalingServiceLinkedRoleArn as pulumi.Input<string> } : {}),
                capacityRebalance: args.spot ?? false,
                ...(args.spot
                    ? {
                          mixedInstancesPolicy: {
                              instancesDistribution: {
                                  onDemandBaseCapacity: args.onDemandBaseCapacity ?? postureFor(args.environment).llmOnDemandBaseCapacity,
                                  onDemandPercentageAboveBaseCapacity: 0,
                                  spotAllocationStrategy: "price-capacity-optimized",
                              },
                              launchTemplate: { launchTemplateSpecification: { launchTemplateId: template.id, version: "$Latest" } },
                          },
                      }
                    : { launchTemplate: { id: template.id, version: "$Latest" } }),
                tags,
            },
            // The capacity provider's managed scaling owns desiredCapacity.
            ctx.opts({ ignoreChanges: ["desiredCapacity"] }),
        );
        const capacityProvider = new aws.ecs.CapacityProvider(
            ctx.childName("gpu"),
            {
                name: ctx.physical("gpu"),
                autoScalingGroupProvider: {
                    autoScalingGroupArn: asg.arn,
                    managedTerminationProtection: "ENABLED",
                    managedDraining: "ENABLED",
                    managedScaling: { status: "ENABLED", targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 1, instanceWarmupPeriod: 300 },
                },
                // The cluster's name in a tag: the provider is created after the cluster, whose creation
                // makes the ECS service-linked role a new account lacks (CreateCapacityProvider needs it).
                tags: pulumi.output(args.clusterName).apply((cluster) => ctx.tags("gpu-cp", { "ragstack:cluster": cluster })),
            },
            ctx.opts(),
        );
        let association: aws.ecs.ClusterCapacityProviders | undefined;
        if (args.associateCapacityProvider ?? true) {
            // One list per cluster: a brought cluster's own providers are kept (merged, never dropped).
            const kept = [...new Set(["FARGATE", "FARGATE_SPOT", ...(args.existingCapacityProviders ?? [])])];
            association = new aws.ecs.ClusterCapacityProviders(
                ctx.childName("capacity"),
                {
                    clusterName: args.clusterName,
                    capacityProviders: pulumi.output(capacityProvider.name).apply((gpu) => [...kept, gpu]),
                    defaultCapacityProviderStrategies: args.defaultCapacityProviderStrategies ?? [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
                },
                ctx.opts(),
            );
        }
        return { asg, capacityProvider, association };
    }

    /** Container that pulls the models from the Ollama registry before the server takes traffic. */
    private modelPullContainer(
        image: string,
        models: string,
        env: { name: string; value: string }[],
        log: (prefix: string) => unknown,
    ): Record<string, unknown> {
        return preparationStep("model-pull", image, "volume-permissions", log, {
            entryPoint: ["sh", "-c"],
            command: [`${OLLAMA_UP} for m in ${models}; do ollama pull "$m" || exit 1; done`],
            environment: env,
        });
    }

    /**
     * Staged models: the AWS CLI copies the OLLAMA_MODELS tree from S3 (through the gateway
     * endpoint), then Ollama checks that every configured model is there before the server starts
     * (a model missing from the bucket fails the task with its name, instead of a pull attempt).
     */
    private stagedModelContainers(
        image: string,
        staged: StagedModels,
        models: string,
        env: { name: string; value: string }[],
        log: (prefix: string) => unknown,
        region: pulumi.Output<string>,
    ): Record<string, unknown>[] {
        const prefix = staged.prefix ?? "ollama/models/";
        return [
            preparationStep("model-sync", staged.syncImage ?? DEFAULT_MODEL_SYNC_IMAGE, "volume-permissions", log, {
                command: ["s3", "sync", pulumi.interpolate`s3://${staged.bucketName}/${prefix}`, "/models/models/", "--no-progress", "--only-show-errors"],
                // The region explicitly: instance metadata is blocked for awsvpc tasks
                // (ECS_AWSVPC_BLOCK_IMDS), and an agent older than 2026-04 sets no AWS_REGION on EC2,
                // so the CLI would go to us-east-1's S3, which the security group does not reach.
                environment: [
                    { name: "HOME", value: "/tmp" },
                    { name: "AWS_REGION", value: region },
                    { name: "AWS_DEFAULT_REGION", value: region },
                ],
            }),
            preparationStep("model-check", image, "model-sync", log, {
                entryPoint: ["sh", "-c"],
                command: [
                    `${OLLAMA_UP} for m in ${models}; do ollama show "$m" >/dev/null 2>&1 || { echo "model $m is not staged in the models bucket"; exit 1; }; done`,
                ],
                environment: env,
            }),
        ];
    }

    /** Task role of staged models: list and read the models' prefix of the bucket, decrypt through S3 only. */
    private createModelReaderRole(ctx: AwsContext, staged: StagedModels, accountId: pulumi.Output<string>, region: pulumi.Output<string>): aws.iam.Role {
        const prefix = staged.prefix ?? "ollama/models/";
        const role = new aws.iam.Role(
            ctx.childName("task"),
            {
                assumeRolePolicy: assumeRolePolicy("ecs-tasks.amazonaws.com", accountId),
                description: "Ollama tasks: read the staged models",
                tags: ctx.tags("llm-task"),
            },
            ctx.opts(),
        );
        new aws.iam.RolePolicy(
            ctx.childName("task"),
            {
                role: role.id,
                policy: policyDocument([
                    {
                        Sid: "ListModels",
                        Effect: "Allow",
                        Action: ["s3:ListBucket"],
                        Resource: [staged.bucketArn],
                        Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } },
                    },
                    { Sid: "ReadModels", Effect: "Allow", Action: ["s3:GetObject"], Resource: [pulumi.interpolate`${staged.bucketArn}/${prefix}*`] },
                    {
                        Sid: "DecryptThroughS3",
                        Effect: "Allow",
                        Action: ["kms:Decrypt"],
                        Resource: [staged.kmsKeyArn],
                        Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${region}.amazonaws.com` } },
                    },
                ]),
            },
            ctx.opts(),
        );
        return role;
    }

    /** Logs, the execution role, the task (model pull before the server) and the service, discoverable as `ollama.<namespace>`. */
    private createService(
        { ctx, args, s, accountId, region, partition }: StepInput,
        sg: aws.ec2.SecurityGroup,
        capacityProvider: aws.ecs.CapacityProvider,
        association: aws.ecs.ClusterCapacityProviders | undefined,
    ): aws.ecs.Service {
        const logGroup = new aws.cloudwatch.LogGroup(
            ctx.childName("logs"),
            { name: `/${ctx.prefix}/ecs/ollama`, retentionInDays: args.logRetentionDays ?? 90, kmsKeyId: args.logsKeyArn, tags: ctx.tags("llm-logs") },
            ctx.opts(),
        );
        const executionRole = new aws.iam.Role(
            ctx.childName("execution"),
            {
                assumeRolePolicy: assumeRolePolicy("ecs-tasks.amazonaws.com", accountId),
                description: "ECS agent for Ollama tasks",
                tags: ctx.tags("llm-execution"),
            },
            ctx.opts(),
        );
        new aws.iam.RolePolicy(
            ctx.childName("execution"),
            {
                role: executionRole.id,
                policy: policyDocument([
                    ...ecrPullStatements(region, accountId, args.ecrPublicCache ?? false, partition),
                    { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
                ]),
            },
            ctx.opts(),
        );
        const staged = args.stagedModels;
        const taskRole = staged ? this.createModelReaderRole(ctx, staged, accountId, region) : undefined;
        const log = (prefix: string) => ({
            logDriver: "awslogs",
            options: { "awslogs-group": logGroup.name, "awslogs-region": region, "awslogs-stream-prefix": prefix },
        });
        const models = args.models.join(" ");
        const env = [
            { name: "OLLAMA_HOST", value: `0.0.0.0:${OLLAMA_PORT}` },
            { name: "OLLAMA_KEEP_ALIVE", value: args.keepAlive ?? "24h" },
            { name: "OLLAMA_MODELS", value: "/models/models" },
            { name: "HOME", value: "/models" },
        ];
        const containerDefinitions = pulumi.jsonStringify([
            {
                // The only root step: hand the shared model volume to the unprivileged user.
                name: "volume-permissions",
                image: s.image,
                essential: false,
                user: "0",
                entryPoint: ["sh", "-c"],
                command: ["chown -R 10001:10001 /models /tmp"],
                readonlyRootFilesystem: true,
                mountPoints: [
                    { sourceVolume: "models", containerPath: "/models" },
                    { sourceVolume: "tmp", containerPath: "/tmp" },
                ],
                linuxParameters: { capabilities: { drop: ["ALL"], add: ["CHOWN"] } },
                logConfiguration: log("permissions"),
            },
            ...(staged ? this.stagedModelContainers(s.image, staged, models, env, log, region) : [this.modelPullContainer(s.image, models, env, log)]),
            {
                name: "ollama",
                image: s.image,
                essential: true,
                user: "10001:10001",
                portMappings: [{ containerPort: OLLAMA_PORT, protocol: "tcp", name: "ollama" }],
                environment: env,
                resourceRequirements: [{ type: "GPU", value: String(s.gpus) }],
                // Read-only root: Ollama writes its models (and HOME) under /models and scratch under /tmp.
                readonlyRootFilesystem: true,
                mountPoints: [
                    { sourceVolume: "models", containerPath: "/models" },
                    { sourceVolume: "tmp", containerPath: "/tmp" },
                ],
                dependsOn: [{ containerName: staged ? "model-check" : "model-pull", condition: "SUCCESS" }],
                linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["ALL"] } },
                // The image has no curl: `ollama list` talks to the local server.
                healthCheck: { command: ["CMD", "ollama", "list"], interval: 30, timeout: 10, retries: 3, startPeriod: 300 },
                logConfiguration: log("ollama"),
            },
        ]);
        const taskDef = new aws.ecs.TaskDefinition(
            ctx.childName("task"),
            {
                family: ctx.physical("ollama"),
                requiresCompatibilities: ["EC2"],
                networkMode: "awsvpc",
                // Leave a quarter of the host's memory to the OS, the ECS agent and the GPU driver.
                memory: String(Math.floor(gpuInstanceMemoryMiB(s.instanceType) * 0.75)),
                executionRoleArn: executionRole.arn,
                ...(taskRole ? { taskRoleArn: taskRole.arn } : {}),
                volumes: [
                    { name: "models", dockerVolumeConfiguration: { scope: "shared", autoprovision: true, driver: "local" } },
                    { name: "tmp", dockerVolumeConfiguration: { scope: "task", driver: "local" } },
                ],
                containerDefinitions,
                tags: ctx.tags("ollama-task"),
            },
            ctx.opts(),
        );
        const discovery = new aws.servicediscovery.Service(
            ctx.childName("discovery"),
            {
                name: "ollama",
                dnsConfig: { namespaceId: args.namespaceId, dnsRecords: [{ type: "A", ttl: 10 }], routingPolicy: "MULTIVALUE" },
                healthCheckCustomConfig: { failureThreshold: 1 },
                tags: ctx.tags("ollama-discovery"),
            },
            ctx.opts(),
        );
        const service = new aws.ecs.Service(
            ctx.childName("service"),
            {
                name: ctx.physical("ollama"),
                cluster: args.clusterArn,
                taskDefinition: taskDef.arn,
                desiredCount: s.desired,
                capacityProviderStrategies: [{ capacityProvider: capacityProvider.name, weight: 1, base: 0 }],
                networkConfiguration: { subnets: args.subnetIds, securityGroups: [sg.id], assignPublicIp: false },
                serviceRegistries: { registryArn: discovery.arn },
                placementConstraints: [{ type: "distinctInstance" }],
                deploymentCircuitBreaker: { enable: true, rollback: true },
                // A GPU cannot be shared during a deployment: replace tasks in place.
                deploymentMinimumHealthyPercent: postureFor(args.environment).llmDeploymentMinimumHealthyPercent,
                deploymentMaximumPercent: 100,
                enableExecuteCommand: false,
                propagateTags: "SERVICE",
                waitForSteadyState: false,
                tags: ctx.tags("ollama-service"),
            },
            // ECS refuses a strategy naming a provider not yet associated with the cluster (CreateService).
            ctx.opts({ dependsOn: association ? [association] : [] }),
        );
        return service;
    }
}
