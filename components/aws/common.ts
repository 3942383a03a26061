import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TIER_TAG } from "../core/facts";
import { BY_DIGEST, ECR_PUBLIC_CACHE_PREFIX, ECR_PUBLIC_HOST } from "../core/images";
import { EnvironmentName } from "../core/types";
import { defaultsFor, EgressDestination, egressDefaults } from "../settings";

/** Arguments every AWS component takes. */
export interface AwsCommonArgs {
    /** `staging` or `production`; production turns on the stricter defaults. */
    environment: EnvironmentName;
    /** Name prefix of physical names. @default the component's name */
    namePrefix?: string;
    /** Tags written on every taggable child (merged with `Name`). @default {} */
    tags?: Record<string, string>;
    /**
     * Protect stateful children (`protect` + `retainOnDelete`) so that a stack destroy or an
     * accidental replacement cannot delete data. @default environment === "production"
     */
    protectData?: boolean;
    /**
     * The AWS account id, when known: the component then makes no `sts:GetCallerIdentity` call,
     * so that `pulumi preview` can run without credentials. @default looked up
     */
    accountId?: string;
}

/** The account id: the one given, else `sts:GetCallerIdentity` (a network call that needs credentials). */
export function accountIdOf(args: Pick<AwsCommonArgs, "accountId">, parent: pulumi.Resource): pulumi.Output<string> {
    return args.accountId ? pulumi.output(args.accountId) : aws.getCallerIdentityOutput({}, { parent }).accountId;
}

/**
 * The partition of the provider's region (`aws`, `aws-us-gov`, `aws-cn`): every ARN the stack
 * builds starts with it, so that GovCloud and China regions get valid ARNs. Computed by the
 * provider from its region: no API call, no credentials.
 */
export function partitionOf(parent: pulumi.Resource): pulumi.Output<string> {
    return aws.getPartitionOutput({}, { parent }).partition;
}

/** Where a component's resources live: the account, the provider's region and its partition (for ARNs). */
export function awsWhere(
    args: Pick<AwsCommonArgs, "accountId">,
    parent: pulumi.Resource,
): { accountId: pulumi.Output<string>; region: pulumi.Output<string>; partition: pulumi.Output<string> } {
    return { accountId: accountIdOf(args, parent), region: aws.getRegionOutput({}, { parent }).region, partition: partitionOf(parent) };
}

/**
 * AWS managed policies the stack attaches, with the path AWS publishes each under. The paths
 * differ from policy to policy (AWS Backup's own two are under `service-role/`, its S3 pair is
 * not), and a wrong path fails the attachment with NoSuchEntity: the IAM judge checks every one
 * against AWS's published list (test/aws-judges.test.ts).
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/security-iam-awsmanpol.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-iam-awsmanpol.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html
 */
export const AWS_MANAGED_POLICY_PATHS = {
    AWSBackupServiceRolePolicyForBackup: "service-role/",
    AWSBackupServiceRolePolicyForRestores: "service-role/",
    AWSBackupServiceRolePolicyForS3Backup: "",
    AWSBackupServiceRolePolicyForS3Restore: "",
    AmazonEC2ContainerServiceforEC2Role: "service-role/",
    AmazonRDSEnhancedMonitoringRole: "service-role/",
} as const;

/** ARN of an AWS managed policy in `partition`, at the path AWS publishes it under. */
export function managedPolicyArn(partition: pulumi.Input<string>, name: keyof typeof AWS_MANAGED_POLICY_PATHS): pulumi.Output<string> {
    return pulumi.interpolate`arn:${partition}:iam::aws:policy/${AWS_MANAGED_POLICY_PATHS[name]}${name}`;
}

/** Small helper every AWS component uses for names, tags and child options. */
export class AwsContext {
    readonly prefix: string;
    readonly protectData: boolean;
    constructor(
        readonly name: string,
        readonly args: AwsCommonArgs,
        readonly parent: pulumi.Resource,
    ) {
        this.prefix = args.namePrefix ?? name;
        this.protectData = args.protectData ?? defaultsFor(args.environment).protectData;
    }
    /** The Pulumi name of a child: `<component name>-<part>`. */
    childName(part: string): string {
        return `${this.name}-${part}`;
    }
    /** Physical name, trimmed to `max` characters. */
    physical(part: string, max = 63): string {
        const full = `${this.prefix}-${part}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
        return full.slice(0, max).replace(/-+$/, "");
    }
    tags(nameTag?: string, extra: Record<string, string> = {}): Record<string, string> {
        return { ...(this.args.tags ?? {}), ...(nameTag ? { Name: this.physical(nameTag, 255) } : {}), ...extra };
    }
    /** Options for an ordinary child. */
    opts(extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
        return { parent: this.parent, ...extra };
    }
    /** Options for a child that holds data: protected and retained when protectData is on. */
    dataOpts(extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
        return { parent: this.parent, protect: this.protectData, retainOnDelete: this.protectData, ...extra };
    }
}

/** IAM trust policy for one AWS service, limited to this account through aws:SourceAccount. */
export function assumeRolePolicy(service: string, accountId?: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                // EC2 instance roles do not support the confused-deputy keys; every other service here does.
                ...(accountId ? { Condition: { StringEquals: { "aws:SourceAccount": accountId } } } : {}),
            },
        ],
    });
}

/** Key administration actions (no use of the key): the administrators' statement of every key policy here. */
export const KEY_ADMIN_ACTIONS = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
];

/**
 * The policy of a key that only AWS services of this account use in one region (a backup region's
 * key): the account administers it; principals of the account use it only through `services`
 * (e.g. `rds.eu-central-1.amazonaws.com`). Never the default "the account may do anything".
 */
export function serviceKeyPolicy(accountId: pulumi.Input<string>, services: pulumi.Input<string>[], partition: pulumi.Input<string>): pulumi.Output<string> {
    const root = pulumi.interpolate`arn:${partition}:iam::${accountId}:root`;
    return policyDocument([
        { Sid: "KeyAdministration", Effect: "Allow", Principal: { AWS: root }, Action: KEY_ADMIN_ACTIONS, Resource: "*" },
        {
            Sid: "UseThroughServicesOfThisAccount",
            Effect: "Allow",
            Principal: { AWS: root },
            Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"],
            Resource: "*",
            Condition: { StringEquals: { "kms:CallerAccount": accountId }, StringLike: { "kms:ViaService": services } },
        },
    ]);
}

/** Builds an IAM policy document from statements (Outputs allowed anywhere inside). */
export function policyDocument(statements: pulumi.Input<Record<string, unknown>>[]): pulumi.Output<string> {
    return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** A security group that admits only the given security groups on one port. */
export interface AdmittingGroupSpec {
    /** Child name part of the group (`<component>-<key>`). */
    key: string;
    /** Child name part of each rule (`<component>-<ruleKey>-<i>`). */
    ruleKey: string;
    vpcId: pulumi.Input<string>;
    /** Tier tag (`ragstack:tier`), read by the data-tier policy. */
    tier: "app" | "data";
    port: number;
    /** What the group protects, e.g. "PostgreSQL". */
    what: string;
    /** Who is admitted, e.g. "the application tier". */
    from: string;
    sources: pulumi.Input<string>[];
}

/** Creates the group and one described ingress rule per source security group (never a CIDR). */
export function admittingSecurityGroup(ctx: AwsContext, spec: AdmittingGroupSpec): aws.ec2.SecurityGroup {
    const sg = new aws.ec2.SecurityGroup(
        ctx.childName(spec.key),
        { vpcId: spec.vpcId, description: `${spec.what}: ${spec.port} from ${spec.from} only`, tags: ctx.tags(spec.key, { [TIER_TAG]: spec.tier }) },
        ctx.opts(),
    );
    spec.sources.forEach(
        (src, i) =>
            new aws.vpc.SecurityGroupIngressRule(
                ctx.childName(`${spec.ruleKey}-${i}`),
                {
                    securityGroupId: sg.id,
                    ipProtocol: "tcp",
                    fromPort: spec.port,
                    toPort: spec.port,
                    referencedSecurityGroupId: src,
                    description: `${spec.what} from ${spec.from}`,
                },
                ctx.opts(),
            ),
    );
    return sg;
}

/**
 * Where a tier's HTTPS may go: anywhere (`"internet"`, through the NAT gateways), or only to the
 * VPC's interface endpoints (its CIDR) and S3 (the gateway endpoint's prefix list).
 */
export type HttpsEgress =
    | "internet"
    | {
          vpcCidr: pulumi.Input<string>;
          s3PrefixListId: pulumi.Input<string>;
          /** Named destinations of this workload (network.egressDestinations), reached through the VPC's Network Firewall. */
          destinations?: EgressDestination[];
      };

/** The egress rules of `HttpsEgress` on a security group (443 only). */
export function httpsEgressRules(ctx: AwsContext, key: string, securityGroupId: pulumi.Input<string>, egress: HttpsEgress, what: string): void {
    const rule = (part: string, target: { cidrIpv4?: pulumi.Input<string>; prefixListId?: pulumi.Input<string> }, description: string) =>
        new aws.vpc.SecurityGroupEgressRule(
            ctx.childName(`${key}${part}`),
            { securityGroupId, ipProtocol: "tcp", fromPort: 443, toPort: 443, ...target, description },
            ctx.opts(),
        );
    if (egress === "internet") {
        rule("", { cidrIpv4: "0.0.0.0/0" }, `HTTPS: ${what}, AWS APIs and the internet (awsInternetEgress)`);
        return;
    }
    rule("-endpoints", { cidrIpv4: egress.vpcCidr }, "HTTPS to the VPC's interface endpoints (AWS APIs, ECR)");
    rule("-s3", { prefixListId: egress.s3PrefixListId }, "HTTPS to S3 through the gateway endpoint (ECR layers, the stack's buckets)");
    destinationEgressRules(ctx, key, securityGroupId, egress.destinations ?? []);
}

/**
 * The egress rules of named destinations: a CIDR destination on each of its ports and protocol;
 * a host destination on its ports to any address (0.0.0.0/0): a security group filters
 * addresses, never names, and a host's addresses change, so the name is checked by the Network
 * Firewall the private subnets route through (the TLS server name). One rule per port shared by
 * the host destinations.
 */
export function destinationEgressRules(ctx: AwsContext, key: string, securityGroupId: pulumi.Input<string>, destinations: EgressDestination[]): void {
    const hostPorts = new Map<number, string[]>();
    for (const d of destinations.map(egressDefaults)) {
        if (d.host !== undefined) {
            for (const port of d.ports) hostPorts.set(port, [...(hostPorts.get(port) ?? []), d.name]);
            continue;
        }
        for (const port of d.ports)
            new aws.vpc.SecurityGroupEgressRule(
                ctx.childName(`${key}-to-${d.name}-${port}`),
                {
                    securityGroupId,
                    ipProtocol: d.protocol,
                    fromPort: port,
                    toPort: port,
                    cidrIpv4: d.cidr,
                    description: `Egress destination ${d.name} (network.egressDestinations), also passed by the Network Firewall`,
                },
                ctx.opts(),
            );
    }
    for (const [port, names] of hostPorts)
        new aws.vpc.SecurityGroupEgressRule(
            ctx.childName(`${key}-to-hosts-${port}`),
            {
                securityGroupId,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                cidrIpv4: "0.0.0.0/0",
                description: `TLS to ${names.join(", ")} (network.egressDestinations): the Network Firewall passes these server names only`,
            },
            ctx.opts(),
        );
}

export { ECR_PUBLIC_CACHE_PREFIX };

/** Private ECR images (any region): what a task pulls through the VPC's ECR endpoints. */
export const ECR_PRIVATE_IMAGE = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

/**
 * An ECR Public image (`public.ecr.aws/<path>`) through the account's pull-through cache
 * (`<registry>/ecr-public/<path>`); any other image unchanged. The cached reference keeps the tag
 * and drops a digest (images.lock.json's): a pull-through cache fills a repository on a pull by
 * tag (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-working.html
 * shows `…/ecr-public/<repository>/<image>:<tag>` only), and an uncached image referenced by
 * digest, with or without its tag, is answered as missing
 * (https://github.com/aws/containers-roadmap/issues/2837, open). A service's tasks still run one
 * image: ECS resolves the tag to a digest at deployment
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerImage.html).
 */
export function viaEcrPublicCache(image: string, registry: string | undefined): string {
    if (!registry || !image.startsWith(`${ECR_PUBLIC_HOST}/`)) return image;
    return `${registry}/${ECR_PUBLIC_CACHE_PREFIX}/${image.slice(`${ECR_PUBLIC_HOST}/`.length).replace(BY_DIGEST, "")}`;
}

/**
 * IAM statements of an execution role that pulls from ECR: the token (no resource-level
 * permissions), pulls from the account's repositories of the region, and, with a pull-through
 * cache, the first pull of an upstream image into its cache repository.
 */
export function ecrPullStatements(
    region: pulumi.Input<string>,
    accountId: pulumi.Input<string>,
    pullThroughCache: boolean,
    partition: pulumi.Input<string>,
): Record<string, unknown>[] {
    return [
        { Sid: "EcrAuth", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
        {
            Sid: "EcrPull",
            Effect: "Allow",
            Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            Resource: pulumi.interpolate`arn:${partition}:ecr:${region}:${accountId}:repository/*`,
        },
        ...(pullThroughCache
            ? [
                  {
                      Sid: "EcrPullThroughCache",
                      Effect: "Allow",
                      Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
                      Resource: pulumi.interpolate`arn:${partition}:ecr:${region}:${accountId}:repository/${ECR_PUBLIC_CACHE_PREFIX}/*`,
                  },
              ]
            : []),
    ];
}

/**
 * The DNS record that validates `cert` for `base` (a name, or the base of a `*.` name: both share
 * one record), in the hosted zone; overwritten if present, as ACM expects on renewals.
 * https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
 */
export function certificateValidationRecord(
    ctx: AwsContext,
    key: string,
    cert: aws.acm.Certificate,
    base: string,
    zoneId: pulumi.Input<string>,
): aws.route53.Record {
    const option = cert.domainValidationOptions.apply((all) => all.find((o) => o.domainName === base || o.domainName === `*.${base}`) ?? all[0]);
    return new aws.route53.Record(
        ctx.childName(key),
        {
            zoneId,
            name: option.resourceRecordName,
            type: option.resourceRecordType,
            records: [option.resourceRecordValue],
            ttl: 300,
            allowOverwrite: true,
        },
        ctx.opts(),
    );
}
