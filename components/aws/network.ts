import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { subnetCidr } from "../core/sizing";
import { NAT_STRATEGIES, NatStrategy } from "../core/types";
import { Validator } from "../core/validation";
import { assumeRolePolicy, AwsCommonArgs, AwsContext, awsWhere, policyDocument } from "./common";
import { checkLogRetention, defaultsFor, EgressDestination, ExistingVpc } from "../settings";
import { EgressFirewall } from "./egress-firewall";

/**
 * Interface endpoints every stack needs: Fargate tasks pull images from ECR (ecr.api, ecr.dkr and
 * the S3 gateway), send logs (logs) and read their secrets (secretsmanager) through them
 * ("Amazon ECS interface VPC endpoints (AWS PrivateLink)",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html; the Fargate
 * tasks need no ecs, ecs-agent or ecs-telemetry endpoint, which serve container instances), and
 * kms serves the tasks' own calls on the stack's keys.
 */
export const BASE_INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "secretsmanager", "logs", "kms"];

/**
 * Interface endpoints the GPU hosts of the LLM need besides: the ECS container agent (ecs,
 * ecs-agent, ecs-telemetry, same page), Session Manager (ssm, ssmmessages, ec2messages:
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html) and the
 * CloudWatch agent's metrics (monitoring).
 */
export const LLM_INTERFACE_ENDPOINTS = ["ssm", "ssmmessages", "ec2messages", "ecs", "ecs-agent", "ecs-telemetry", "monitoring"];

/** Interface endpoints created by default (private access to AWS APIs without NAT): both lists. */
export const DEFAULT_INTERFACE_ENDPOINTS = [...BASE_INTERFACE_ENDPOINTS, ...LLM_INTERFACE_ENDPOINTS];

/**
 * Objects of AWS-owned buckets the stack's hosts read through the S3 gateway endpoint: ECR image
 * layers, Amazon Linux 2 / 2023 packages, the CloudWatch agent (AWS data-perimeter examples).
 */
export function awsOwnedS3Objects(region: string, partition = "aws"): string[] {
    return [
        `arn:${partition}:s3:::prod-${region}-starport-layer-bucket/*`,
        `arn:${partition}:s3:::amazonlinux.${region}.amazonaws.com/*`,
        `arn:${partition}:s3:::amazonlinux-2-repos-${region}/*`,
        `arn:${partition}:s3:::al2023-repos-${region}-de612dc2/*`,
        `arn:${partition}:s3:::amazoncloudwatch-agent-${region}/*`,
        `arn:${partition}:s3:::amazoncloudwatch-agent/*`,
    ];
}

export interface NetworkArgs extends AwsCommonArgs {
    /** VPC CIDR (/16 to /20). Subnets are carved at fixed offsets so that adding an AZ never moves one. @default "10.0.0.0/16" */
    cidr?: string;
    /** Availability zones (2 or 3). @default 2 staging, 3 production */
    azCount?: number;
    /**
     * One NAT gateway (`single`), one per AZ (`perAz`) or none (`none`: the private subnets have no
     * route to the internet; AWS is reached through the endpoints only).
     * @default "none" development, "single" staging, "perAz" production
     */
    natStrategy?: NatStrategy;
    /** AZs the interface endpoints are placed in, from the first. @default every AZ (azCount) */
    endpointAzCount?: number;
    /** Days flow logs are kept. @default 90 */
    flowLogRetentionDays?: number;
    /** KMS key that encrypts the flow log group. Required when a VPC is created. */
    logsKeyArn?: pulumi.Input<string>;
    /** Interface endpoints to create. @default DEFAULT_INTERFACE_ENDPOINTS */
    interfaceEndpoints?: string[];
    /**
     * Names of the availability zones to use (at least `azCount`), e.g. `["eu-west-1a", "eu-west-1b"]`:
     * no `ec2:DescribeAvailabilityZones` call, so `pulumi preview` can run without credentials.
     * @default the region's available zones, looked up
     */
    availabilityZones?: string[];
    /** Bring your own VPC: nothing is created, the ids are passed through. Excludes cidr/azCount/natStrategy. */
    existingVpc?: ExistingVpc;
    /**
     * Named destinations outside the VPC (network.egressDestinations): the private subnets reach
     * the internet only through an AWS Network Firewall that passes these and drops the rest
     * (`EgressFirewall`). The NAT gateways then stand in their own subnets behind the firewall,
     * not in the public ones (the ALB's), so that the ALB's traffic to the tasks never crosses
     * it. Excludes existingVpc. @default none: the private subnets reach the NAT gateways directly
     */
    egressFirewall?: { destinations: EgressDestination[]; kmsKeyArn: pulumi.Input<string> };
}

/**
 * The firewall subnet and the NAT subnet of an AZ when the egress firewall is on: the first two
 * /28 (the smallest subnet a VPC allows) of the fourth tier's slot (`subnetCidr(cidr, 3, az)`,
 * unused otherwise). The firewall needs a subnet in each AZ where it has an endpoint, with at least
 * one free address; the stack uses it for nothing else (the firewall filters only traffic routed
 * to it, never traffic inside its own subnet).
 * https://docs.aws.amazon.com/network-firewall/latest/developerguide/vpc-config-subnets.html
 */
export function egressSubnetCidrs(vpcCidr: string, az: number): { firewall: string; nat: string } {
    const slot = subnetCidr(vpcCidr, 3, az);
    const base =
        slot
            .split("/")[0]
            .split(".")
            .reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
    const at = (n: number) => `${[24, 16, 8, 0].map((s) => ((n >>> 0) >>> s) & 255).join(".")}/28`;
    return { firewall: at(base), nat: at(base + 16) };
}

/** Sizes and defaults resolved from the args. */
interface Sizing {
    cidr: string;
    azCount: number;
    nat: NatStrategy;
    endpointAzCount: number;
}

/** The subnets of each tier, one per AZ. */
type Subnets = Record<"public" | "private" | "isolated", aws.ec2.Subnet[]>;

/** The egress firewall's subnets per AZ and the NAT subnets' route tables. */
interface EgressSubnets {
    firewall: aws.ec2.Subnet[];
    nat: aws.ec2.Subnet[];
    natRt: aws.ec2.RouteTable[];
}

/** What every step of the constructor needs. */
interface StepInput {
    ctx: AwsContext;
    args: NetworkArgs;
    s: Sizing;
    accountId: pulumi.Output<string>;
    region: pulumi.Output<string>;
    /** `aws`, `aws-us-gov` or `aws-cn`: the first field of every ARN built here. */
    partition: pulumi.Output<string>;
}

/**
 * VPC over 2-3 AZs with three subnet tiers: public (ALB, NAT), private (ECS tasks, GPU hosts,
 * endpoints; egress through NAT) and isolated (RDS, ElastiCache; no route out). Flow logs (ALL)
 * go to a KMS-encrypted log group; the default security group has no rules; S3 is reached
 * through a gateway endpoint and AWS APIs through interface endpoints.
 */
export class Network extends pulumi.ComponentResource {
    /** Id of the VPC. */
    readonly vpcId: pulumi.Output<string>;
    /** CIDR of the VPC. */
    readonly vpcCidr: pulumi.Output<string>;
    /** Public subnet ids (ALB, NAT). */
    readonly publicSubnetIds: pulumi.Output<string[]>;
    /** Private subnet ids (tasks, GPU hosts, endpoints). */
    readonly privateSubnetIds: pulumi.Output<string[]>;
    /** Isolated subnet ids (databases, caches). */
    readonly isolatedSubnetIds: pulumi.Output<string[]>;
    private readonly s3PrefixListIdOf: () => pulumi.Output<string>;
    private s3PrefixList?: pulumi.Output<string>;
    /**
     * The region's S3 prefix list (the gateway endpoint's): what security groups allow for HTTPS
     * to S3 without the internet. For a VPC you bring, looked up when first read.
     */
    get s3PrefixListId(): pulumi.Output<string> {
        return (this.s3PrefixList ??= this.s3PrefixListIdOf());
    }

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        const s = Network.validate(name, args);
        super(typeToken("aws", "Network"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);

        if (args.existingVpc) {
            const e = args.existingVpc;
            this.vpcId = pulumi.output(e.vpcId);
            this.vpcCidr = pulumi.output(e.cidr);
            this.publicSubnetIds = pulumi.output(e.publicSubnetIds);
            this.privateSubnetIds = pulumi.output(e.privateSubnetIds);
            this.isolatedSubnetIds = pulumi.output(e.isolatedSubnetIds);
            this.s3PrefixListIdOf = () =>
                aws.ec2.getPrefixListOutput(
                    { name: pulumi.interpolate`com.amazonaws.${aws.getRegionOutput({}, { parent: this }).region}.s3` },
                    { parent: this },
                ).id;
            this.registerOutputs({});
            return;
        }

        const input: StepInput = {
            ctx,
            args,
            s,
            ...awsWhere(args, this),
        };
        const { vpc, igw } = this.createVpc(input);
        const azNames: pulumi.Output<string[]> = args.availabilityZones
            ? pulumi.output(args.availabilityZones)
            : aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this }).names;
        const subnets = this.createSubnets(input, vpc, azNames);
        const { privateRts, isolatedRt } = this.createRouting(input, vpc, igw, subnets, azNames);
        this.createFlowLogs(input, vpc);
        const s3Endpoint = this.createEndpoints(input, vpc, subnets, [...privateRts, isolatedRt]);
        this.s3PrefixListIdOf = () => s3Endpoint.prefixListId;

        this.vpcId = vpc.id;
        this.vpcCidr = vpc.cidrBlock;
        this.publicSubnetIds = pulumi.all(subnets.public.map((x) => x.id));
        this.privateSubnetIds = pulumi.all(subnets.private.map((x) => x.id));
        this.isolatedSubnetIds = pulumi.all(subnets.isolated.map((x) => x.id));
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds,
        });
    }

    /** Defaults applied and every argument checked; throws before anything is registered. */
    private static validate(name: string, args: NetworkArgs): Sizing {
        const d = defaultsFor(args.environment).network;
        const cidr = args.cidr ?? "10.0.0.0/16";
        const azCount = args.azCount ?? d.azCount;
        const nat = args.natStrategy ?? d.natStrategy;
        const endpointAzCount = args.endpointAzCount ?? azCount;
        const v = new Validator(`Network ${name}`);
        v.exclusive("existingVpc", args.existingVpc, "cidr", args.cidr);
        v.exclusive("existingVpc", args.existingVpc, "azCount", args.azCount);
        v.exclusive("existingVpc", args.existingVpc, "natStrategy", args.natStrategy);
        v.exclusive("existingVpc", args.existingVpc, "egressFirewall", args.egressFirewall);
        if (!args.existingVpc) {
            v.cidr("cidr", cidr, 16, 20);
            v.int("azCount", azCount, 2, 3);
            v.oneOf("natStrategy", nat, NAT_STRATEGIES);
            v.int("endpointAzCount", endpointAzCount, 1, azCount);
            if (args.egressFirewall && nat === "none")
                v.fail("natStrategy", nat, '"single" or "perAz" with egressFirewall (allowed traffic leaves through NAT)');
            if (!args.logsKeyArn) v.fail("logsKeyArn", args.logsKeyArn, "a KMS key ARN for the flow log group");
            if (args.availabilityZones !== undefined) {
                if (!Array.isArray(args.availabilityZones) || args.availabilityZones.length < azCount)
                    v.fail("availabilityZones", args.availabilityZones, `at least azCount (${azCount}) zone names`);
                else {
                    // Zones of one region (the provider's): the region is the name less its last letter.
                    const regions = new Set(args.availabilityZones.map((z) => String(z).slice(0, -1)));
                    args.availabilityZones.forEach((z, i) => {
                        if (v.matches(`availabilityZones[${i}]`, z, /^[a-z0-9-]+\d[a-z]$/, "a zone name such as eu-west-1a"))
                            v.awsRegion(`availabilityZones[${i}] (its region)`, z.slice(0, -1));
                    });
                    if (regions.size > 1) v.fail("availabilityZones", args.availabilityZones, "zones of one region");
                    v.unique("availabilityZones", args.availabilityZones);
                }
            }
        }
        checkLogRetention(v, "flowLogRetentionDays", args.flowLogRetentionDays ?? 90);
        v.throwIfAny();
        const s: Sizing = { cidr, azCount, nat, endpointAzCount };
        return s;
    }

    /** The VPC, its default security group emptied, the internet gateway. */
    private createVpc({ ctx, s }: StepInput): { vpc: aws.ec2.Vpc; igw: aws.ec2.InternetGateway } {
        const vpc = new aws.ec2.Vpc(
            ctx.childName("vpc"),
            { cidrBlock: s.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: ctx.tags("vpc") },
            ctx.opts(),
        );
        new aws.ec2.DefaultSecurityGroup(
            ctx.childName("default-sg"),
            { vpcId: vpc.id, ingress: [], egress: [], tags: ctx.tags("default-sg-unused") },
            ctx.opts(),
        );
        const igw = new aws.ec2.InternetGateway(ctx.childName("igw"), { vpcId: vpc.id, tags: ctx.tags("igw") }, ctx.opts());
        return { vpc, igw };
    }

    /** Three tiers per AZ at fixed offsets (adding an AZ never moves a subnet); zones as given or looked up. */
    private createSubnets({ ctx, s }: StepInput, vpc: aws.ec2.Vpc, azNames: pulumi.Output<string[]>): Subnets {
        const tiers = ["public", "private", "isolated"] as const;
        const subnets: Subnets = { public: [], private: [], isolated: [] };
        tiers.forEach((tier, t) => {
            for (let a = 0; a < s.azCount; a++) {
                subnets[tier].push(
                    new aws.ec2.Subnet(
                        ctx.childName(`${tier}-${a}`),
                        {
                            vpcId: vpc.id,
                            cidrBlock: subnetCidr(s.cidr, t, a),
                            availabilityZone: azNames[a],
                            mapPublicIpOnLaunch: false,
                            tags: ctx.tags(`${tier}-${a}`, { Tier: tier }),
                        },
                        ctx.opts(),
                    ),
                );
            }
        });
        return subnets;
    }

    /**
     * Per AZ, the firewall subnet (the firewall's endpoint; routes out to the NAT gateway) and the
     * NAT subnet (the NAT gateway; routes out to the internet gateway, back through the firewall).
     * Their route tables are filled by `createEgressFirewall`.
     */
    private createEgressSubnets(
        { ctx, s }: StepInput,
        vpc: aws.ec2.Vpc,
        igw: aws.ec2.InternetGateway,
        azNames: pulumi.Output<string[]>,
        natCount: number,
    ): EgressSubnets {
        const out: EgressSubnets = { firewall: [], nat: [], natRt: [] };
        for (let a = 0; a < s.azCount; a++) {
            const cidrs = egressSubnetCidrs(s.cidr, a);
            // A firewall endpoint in every AZ; a NAT subnet where a NAT gateway stands (one, or one per AZ).
            for (const kind of a < natCount ? (["firewall", "nat"] as const) : (["firewall"] as const))
                out[kind].push(
                    new aws.ec2.Subnet(
                        ctx.childName(`${kind}-${a}`),
                        {
                            vpcId: vpc.id,
                            cidrBlock: cidrs[kind],
                            availabilityZone: azNames[a],
                            mapPublicIpOnLaunch: false,
                            tags: ctx.tags(`${kind}-${a}`, { Tier: kind }),
                        },
                        ctx.opts(),
                    ),
                );
            if (a >= natCount) continue;
            const natRt = new aws.ec2.RouteTable(ctx.childName(`nat-rt-${a}`), { vpcId: vpc.id, tags: ctx.tags(`nat-rt-${a}`) }, ctx.opts());
            new aws.ec2.Route(ctx.childName(`nat-default-${a}`), { routeTableId: natRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, ctx.opts());
            new aws.ec2.RouteTableAssociation(ctx.childName(`nat-${a}`), { subnetId: out.nat[a].id, routeTableId: natRt.id }, ctx.opts());
            out.natRt.push(natRt);
        }
        return out;
    }

    /** The firewall in the firewall subnets, their routes to the NAT gateways and the NAT subnets' return routes; the endpoint of each AZ. */
    private createEgressFirewall(
        { ctx, args, s }: StepInput,
        vpc: aws.ec2.Vpc,
        egress: EgressSubnets,
        natOf: (a: number) => aws.ec2.NatGateway,
        subnets: Subnets,
    ): (a: number) => pulumi.Output<string> {
        const firewall = new EgressFirewall(
            `${ctx.name}-egress`,
            {
                environment: args.environment,
                namePrefix: ctx.prefix,
                tags: args.tags,
                protectData: ctx.protectData,
                vpcId: vpc.id,
                vpcCidr: s.cidr,
                subnetIds: egress.firewall.map((x) => x.id),
                destinations: args.egressFirewall!.destinations,
                kmsKeyArn: args.egressFirewall!.kmsKeyArn,
                logsKeyArn: args.logsKeyArn!,
                logRetentionDays: args.flowLogRetentionDays,
            },
            { parent: this },
        );
        const endpointOf = (a: number) => firewall.endpointIds[a];
        egress.firewall.forEach((subnet, a) => {
            const rt = new aws.ec2.RouteTable(ctx.childName(`firewall-rt-${a}`), { vpcId: vpc.id, tags: ctx.tags(`firewall-rt-${a}`) }, ctx.opts());
            new aws.ec2.Route(
                ctx.childName(`firewall-default-${a}`),
                { routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: natOf(a).id },
                ctx.opts(),
            );
            new aws.ec2.RouteTableAssociation(ctx.childName(`firewall-${a}`), { subnetId: subnet.id, routeTableId: rt.id }, ctx.opts());
        });
        // Return path: every NAT subnet routes each private subnet to the endpoint of that subnet's AZ.
        egress.natRt.forEach((natRt, n) =>
            subnets.private.forEach(
                (_subnet, a) =>
                    new aws.ec2.Route(
                        ctx.childName(`nat-return-${n}-${a}`),
                        { routeTableId: natRt.id, destinationCidrBlock: subnetCidr(s.cidr, 1, a), vpcEndpointId: endpointOf(a) },
                        ctx.opts(),
                    ),
            ),
        );
        return endpointOf;
    }

    /** Public routes to the internet gateway; private routes through NAT (one, one per AZ, or none) or the egress firewall; isolated subnets with no route out. */
    private createRouting(
        input: StepInput,
        vpc: aws.ec2.Vpc,
        igw: aws.ec2.InternetGateway,
        subnets: Subnets,
        azNames: pulumi.Output<string[]>,
    ): { privateRts: aws.ec2.RouteTable[]; isolatedRt: aws.ec2.RouteTable } {
        const { ctx, args, s } = input;
        const publicRt = new aws.ec2.RouteTable(ctx.childName("public-rt"), { vpcId: vpc.id, tags: ctx.tags("public-rt") }, ctx.opts());
        new aws.ec2.Route(ctx.childName("public-default"), { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, ctx.opts());
        subnets.public.forEach(
            (subnet, a) => new aws.ec2.RouteTableAssociation(ctx.childName(`public-${a}`), { subnetId: subnet.id, routeTableId: publicRt.id }, ctx.opts()),
        );

        const natCount = s.nat === "perAz" ? s.azCount : s.nat === "single" ? 1 : 0;
        const egress = args.egressFirewall ? this.createEgressSubnets(input, vpc, igw, azNames, natCount) : undefined;
        const natGateways: aws.ec2.NatGateway[] = [];
        for (let a = 0; a < natCount; a++) {
            const eip = new aws.ec2.Eip(ctx.childName(`nat-${a}`), { domain: "vpc", tags: ctx.tags(`nat-${a}`) }, ctx.opts());
            natGateways.push(
                new aws.ec2.NatGateway(
                    ctx.childName(`nat-${a}`),
                    { allocationId: eip.id, subnetId: (egress ? egress.nat[a] : subnets.public[a]).id, tags: ctx.tags(`nat-${a}`) },
                    ctx.opts({ dependsOn: [igw] }),
                ),
            );
        }
        const natOf = (a: number) => natGateways[s.nat === "perAz" ? a : 0];
        // With the egress firewall (AWS's "internet gateway and NAT gateway" architecture, the
        // firewall between the workloads and the NAT gateway, so that it sees the tasks' own
        // addresses): private subnet -> firewall endpoint of its AZ -> NAT gateway -> internet
        // gateway, and back: the NAT subnet routes each private subnet to the firewall endpoint of
        // that subnet's AZ (symmetric: the firewall sees both directions of every flow).
        // https://docs.aws.amazon.com/network-firewall/latest/developerguide/arch-igw-ngw.html
        // https://docs.aws.amazon.com/network-firewall/latest/developerguide/route-tables.html
        const endpointOf = egress ? this.createEgressFirewall(input, vpc, egress, natOf, subnets) : undefined;
        const privateRts: aws.ec2.RouteTable[] = [];
        subnets.private.forEach((subnet, a) => {
            const rt = new aws.ec2.RouteTable(ctx.childName(`private-rt-${a}`), { vpcId: vpc.id, tags: ctx.tags(`private-rt-${a}`) }, ctx.opts());
            // natStrategy none: no default route; the endpoints are the only way out.
            if (endpointOf || natGateways.length)
                new aws.ec2.Route(
                    ctx.childName(`private-default-${a}`),
                    {
                        routeTableId: rt.id,
                        destinationCidrBlock: "0.0.0.0/0",
                        ...(endpointOf ? { vpcEndpointId: endpointOf(a) } : { natGatewayId: natOf(a).id }),
                    },
                    ctx.opts(),
                );
            new aws.ec2.RouteTableAssociation(ctx.childName(`private-${a}`), { subnetId: subnet.id, routeTableId: rt.id }, ctx.opts());
            privateRts.push(rt);
        });
        const isolatedRt = new aws.ec2.RouteTable(ctx.childName("isolated-rt"), { vpcId: vpc.id, tags: ctx.tags("isolated-rt") }, ctx.opts());
        subnets.isolated.forEach(
            (s, a) => new aws.ec2.RouteTableAssociation(ctx.childName(`isolated-${a}`), { subnetId: s.id, routeTableId: isolatedRt.id }, ctx.opts()),
        );
        return { privateRts, isolatedRt };
    }

    /** Flow logs: every packet decision, to an encrypted log group with retention. */
    private createFlowLogs({ ctx, args, accountId }: StepInput, vpc: aws.ec2.Vpc): void {
        const flowLogGroup = new aws.cloudwatch.LogGroup(
            ctx.childName("flow-logs"),
            {
                name: `/${ctx.prefix}/vpc/flow-logs`,
                retentionInDays: args.flowLogRetentionDays ?? 90,
                kmsKeyId: args.logsKeyArn,
                tags: ctx.tags("flow-logs"),
            },
            ctx.opts(),
        );
        const flowRole = new aws.iam.Role(
            ctx.childName("flow-logs"),
            { assumeRolePolicy: assumeRolePolicy("vpc-flow-logs.amazonaws.com", accountId), tags: ctx.tags("flow-logs") },
            ctx.opts(),
        );
        new aws.iam.RolePolicy(
            ctx.childName("flow-logs"),
            {
                role: flowRole.id,
                policy: policyDocument([
                    {
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        Resource: [flowLogGroup.arn, pulumi.interpolate`${flowLogGroup.arn}:*`],
                    },
                ]),
            },
            ctx.opts(),
        );
        new aws.ec2.FlowLog(
            ctx.childName("flow-log"),
            {
                vpcId: vpc.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: flowLogGroup.arn,
                iamRoleArn: flowRole.arn,
                maxAggregationInterval: 60,
                tags: ctx.tags("flow-log"),
            },
            ctx.opts(),
        );
    }

    /** Endpoints: S3 through the gateway (private + isolated route tables), AWS APIs privately. */
    private createEndpoints(
        { ctx, args, s, region, accountId, partition }: StepInput,
        vpc: aws.ec2.Vpc,
        subnets: Subnets,
        routeTables: aws.ec2.RouteTable[],
    ): aws.ec2.VpcEndpoint {
        // Endpoint policies: only principals of this account; through S3, only buckets of this
        // account and the ECR layer bucket of the region (image pulls). A stolen credential of
        // another account cannot use the endpoints to move data out.
        const ownAccount = { StringEquals: { "aws:PrincipalAccount": accountId } };
        const s3 = new aws.ec2.VpcEndpoint(
            ctx.childName("s3"),
            {
                vpcId: vpc.id,
                serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
                vpcEndpointType: "Gateway",
                routeTableIds: routeTables.map((r) => r.id),
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "OwnAccountBuckets",
                            Effect: "Allow",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: "*",
                            Condition: { StringEquals: { "aws:PrincipalAccount": accountId, "aws:ResourceAccount": accountId } },
                        },
                        {
                            // AWS-owned buckets the hosts read without this account's credentials:
                            // ECR's image layers (presigned by ECR) and the Amazon Linux and
                            // CloudWatch agent packages (anonymous). Read-only, AWS's own: AWS's
                            // data-perimeter guidance allows them without a principal condition,
                            // which would deny these requests.
                            Sid: "AwsOwnedResources",
                            Effect: "Allow",
                            Principal: "*",
                            Action: "s3:GetObject",
                            Resource: pulumi.all([region, partition]).apply(([r, p]) => awsOwnedS3Objects(r, p)),
                        },
                    ],
                }),
                tags: ctx.tags("s3-endpoint"),
            },
            ctx.opts(),
        );
        const endpointSg = new aws.ec2.SecurityGroup(
            ctx.childName("endpoints"),
            { vpcId: vpc.id, description: "Interface VPC endpoints: HTTPS from inside the VPC only", tags: ctx.tags("endpoints") },
            ctx.opts(),
        );
        new aws.vpc.SecurityGroupIngressRule(
            ctx.childName("endpoints-https"),
            { securityGroupId: endpointSg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: s.cidr, description: "HTTPS to AWS APIs from the VPC" },
            ctx.opts(),
        );
        for (const svc of args.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS) {
            new aws.ec2.VpcEndpoint(
                ctx.childName(`ep-${svc.replace(/\./g, "-")}`),
                {
                    vpcId: vpc.id,
                    serviceName: pulumi.interpolate`com.amazonaws.${region}.${svc}`,
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    // One subnet per AZ the endpoint serves from (an ENI, billed per AZ-hour).
                    subnetIds: subnets.private.slice(0, s.endpointAzCount).map((subnet) => subnet.id),
                    securityGroupIds: [endpointSg.id],
                    policy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [{ Sid: "OwnAccountOnly", Effect: "Allow", Principal: "*", Action: "*", Resource: "*", Condition: ownAccount }],
                    }),
                    tags: ctx.tags(`ep-${svc}`),
                },
                ctx.opts(),
            );
        }
        return s3;
    }
}
