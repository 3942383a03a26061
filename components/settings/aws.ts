/** AWS-only settings: region, certificates and DNS, bring-your-own resources, egress. */
import { partitionOfRegion } from "../core/aws-catalog";
import { Validator } from "../core/validation";
import { ApiSettings } from "./api";
import { DatabaseSettings } from "./database";
import { LlmSettings } from "./llm";
import { NetworkSettings } from "./network";
import { defineTier, StackIdentity } from "./tier";

/** A VPC the stack deploys into instead of creating one. */
export interface ExistingVpc {
    vpcId: string;
    publicSubnetIds: string[];
    privateSubnetIds: string[];
    isolatedSubnetIds: string[];
    /** CIDR of the VPC (used for endpoint security groups). */
    cidr: string;
}

/** AWS-only settings. */
export interface AwsSettings {
    /** Region of the stack (the provider's `aws:region`). @default "eu-west-1" */
    region: string;
    /** Region automated RDS backups are replicated to in production. @default "eu-central-1" */
    backupRegion: string;
    /** Use this ACM certificate instead of issuing one. */
    certificateArn?: string;
    /** Route 53 hosted zone for DNS validation and the alias record. */
    hostedZoneId?: string;
    /** Bring your own VPC: its id and subnet ids per tier. */
    existingVpc?: ExistingVpc;
    /** Bring your own KMS key (ARN) instead of the keys this library creates. */
    kmsKeyArn?: string;
    /** Bring your own SNS topic (ARN) for alarms. */
    alarmTopicArn?: string;
    /** The account id, so that no `sts:GetCallerIdentity` call is made (credential-less preview). */
    accountId?: string;
    /** Availability zone names, so that no `ec2:DescribeAvailabilityZones` call is made. */
    availabilityZones?: string[];
    /** AMI of the GPU instances, so that no `ssm:GetParameter` call is made (and the AMI is pinned). */
    gpuAmiId?: string;
    /**
     * PEM text of the region's RDS root CAs (https://truststore.pki.rds.amazonaws.com/<region>/<region>-bundle.pem),
     * for a region the library's CA list does not cover yet. @default the library's CAs of the region
     */
    rdsCaBundle?: string;
    /**
     * More security groups admitted by PostgreSQL (5432) and Valkey (6379) besides the API's: a
     * reporting job, a migration runner, a bastion. Each needs its own reason to reach the data.
     */
    dataTierClientSecurityGroupIds?: string[];
    /**
     * Let the API and the GPU instances reach the internet on 443 (through the NAT gateways).
     * Off: HTTPS only to the VPC's endpoints and S3 (gateway endpoint); images must come from ECR
     * in the stack's region, the AWS-published helper images through an ECR pull-through cache of
     * ECR Public, and the LLM's models from the models bucket instead of the Ollama registry.
     * @default true staging, false production
     */
    internetEgress: boolean;
}

/** Images in private ECR of `region` (reached through the VPC's ECR endpoints). */
export function ecrImageRe(region: string): RegExp {
    return new RegExp(`^\\d{12}\\.dkr\\.ecr\\.${region.replace(/[^a-z0-9-]/g, "")}\\.amazonaws\\.com(\\.cn)?/[a-z0-9][a-z0-9._/-]*[:@]`);
}

type AwsView = StackIdentity & { aws: AwsSettings; network: NetworkSettings; database: DatabaseSettings; api: ApiSettings; llm: LlmSettings };

const optional =
    <T>(check: (v: Validator, f: string, x: T, s: AwsView) => void) =>
    (v: Validator, f: string, x: T | undefined, s: AwsView) => {
        if (x !== undefined) check(v, f, x, s);
    };
const subnetIds = (v: Validator, f: string, ids: string[]) => {
    if (!Array.isArray(ids) || ids.length < 2) return v.fail(f, ids, "at least two subnet ids (subnet-...) in different AZs");
    ids.forEach((id, i) => v.matches(`${f}[${i}]`, id, /^subnet-[0-9a-f]{8,17}$/, "a subnet id (subnet-...)"));
    v.unique(f, ids);
};

/**
 * Named egress destinations on AWS go through the stack's Network Firewall: the internet must be
 * closed (otherwise the allow-list would allow nothing more than what is open), the VPC must be the
 * stack's own (its routes send the private subnets through the firewall), and a host is recognised
 * by its TLS server name, which only TCP carries.
 */
function checkAwsEgressDestinations(v: Validator, s: AwsView): void {
    const destinations = Array.isArray(s.network.egressDestinations) ? s.network.egressDestinations : [];
    if (destinations.length === 0) return;
    if (s.aws.internetEgress)
        v.fail(
            "aws.internetEgress",
            s.aws.internetEgress,
            "false when network.egressDestinations are named (with HTTPS open to the whole internet an allow-list allows nothing more): set awsInternetEgress false",
        );
    if (s.aws.existingVpc)
        v.fail(
            "network.egressDestinations",
            destinations,
            "none with aws.existingVpc (the stack routes only a VPC it creates through its Network Firewall): filter your VPC's egress yourself, or let the stack create the VPC",
        );
    if (s.network.natStrategy === "none" && !s.aws.existingVpc)
        v.fail(
            "network.natStrategy",
            "none",
            '"single" or "perAz" when network.egressDestinations are named (the Network Firewall sends allowed traffic out through NAT gateways)',
        );
    destinations.forEach((d, i) => {
        if (d && d.host !== undefined && d.protocol === "udp")
            v.fail(
                `network.egressDestinations[${i}].protocol`,
                d.protocol,
                '"tcp" for a host destination on AWS (the Network Firewall recognises a host by its TLS server name, carried over TCP): give a cidr for a UDP destination',
            );
    });
}

export const awsTier = defineTier<AwsSettings, AwsView>({
    path: "aws",
    title: "AWS",
    targets: ["aws"],
    unused: "an AWS setting",
    settings: {
        region: {
            key: "aws:region",
            provider: true,
            type: "string",
            description: "Set by the provider's config.",
            staging: "eu-west-1",
            check: (v, f, x) => v.awsRegion(f, x),
        },
        backupRegion: {
            key: "awsBackupRegion",
            type: "string",
            description: "Region for replicated backups.",
            staging: "eu-central-1",
            check: (v, f, x, s) => {
                if (v.awsRegion(f, x) && partitionOfRegion(x) !== partitionOfRegion(s.aws.region))
                    v.fail(f, x, `a region of the same partition as aws.region (${partitionOfRegion(s.aws.region)})`);
                if (s.database.crossRegionBackup && x === s.aws.region)
                    v.fail(f, x, `a region other than aws.region (${s.aws.region}) when database.crossRegionBackup is true`);
            },
        },
        certificateArn: {
            key: "certificateArn",
            type: "string",
            description: "Existing ACM certificate ARN.",
            staging: undefined,
            check: optional((v, f, x) => v.matches(f, x, /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, "an ACM certificate ARN")),
        },
        hostedZoneId: {
            key: "hostedZoneId",
            type: "string",
            description: "Route 53 zone for DNS validation and the alias.",
            staging: undefined,
            check: optional((v, f, x) => v.matches(f, x, /^Z[A-Z0-9]{4,32}$/, "a Route 53 hosted zone id (Z...)")),
        },
        existingVpc: {
            fields: {
                vpcId: {
                    key: "existingVpcId",
                    type: "string",
                    description: "Existing VPC id (bring your own).",
                    check: (v, f, x) => v.matches(f, x, /^vpc-[0-9a-f]{8,17}$/, "a VPC id (vpc-...)"),
                },
                cidr: { key: "existingVpcCidr", type: "string", description: "CIDR of the existing VPC.", check: (v, f, x) => v.cidr(f, x, 8, 24) },
                publicSubnetIds: { key: "existingPublicSubnetIds", type: "array", description: "Existing public subnet ids.", check: subnetIds },
                privateSubnetIds: { key: "existingPrivateSubnetIds", type: "array", description: "Existing private subnet ids.", check: subnetIds },
                isolatedSubnetIds: { key: "existingIsolatedSubnetIds", type: "array", description: "Existing isolated subnet ids.", check: subnetIds },
            },
        },
        kmsKeyArn: {
            key: "kmsKeyArn",
            type: "string",
            description: "Existing KMS key ARN (bring your own).",
            staging: undefined,
            check: optional((v, f, x) => v.matches(f, x, /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/, "a KMS key or alias ARN")),
        },
        alarmTopicArn: {
            key: "alarmTopicArn",
            type: "string",
            description: "Existing SNS topic ARN for alarms.",
            staging: undefined,
            check: optional((v, f, x) => v.matches(f, x, /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/, "an SNS topic ARN")),
        },
        accountId: {
            key: "awsAccountId",
            type: "string",
            description: "AWS account id: a preview makes no STS call (CI without credentials).",
            staging: undefined,
            check: optional((v, f, x) => v.matches(f, x, /^\d{12}$/, "a 12-digit AWS account id")),
        },
        availabilityZones: {
            key: "awsAvailabilityZones",
            type: "array",
            description: "Availability zone names: a preview makes no EC2 call.",
            staging: undefined,
            check: optional((v, f, zones, s) => {
                if (!Array.isArray(zones) || zones.length < s.network.azCount)
                    return v.fail(f, zones, `at least network.azCount (${s.network.azCount}) zone names of ${s.aws.region}`);
                zones.forEach((z, i) =>
                    v.matches(`${f}[${i}]`, z, new RegExp(`^${s.aws.region}[a-z]$`), `a zone of aws.region (${s.aws.region}), such as ${s.aws.region}a`),
                );
                v.unique(f, zones);
            }),
        },
        gpuAmiId: {
            key: "awsGpuAmiId",
            type: "string",
            description: "GPU AMI id: pinned, and a preview makes no SSM call.",
            staging: undefined,
            check: optional((v, f, x) => v.matches(f, x, /^ami-[0-9a-f]{8,17}$/, "an AMI id (ami-...)")),
        },
        rdsCaBundle: {
            key: "awsRdsCaBundle",
            type: "string",
            description:
                "PEM text of the region's RDS root CAs (https://truststore.pki.rds.amazonaws.com/<region>/<region>-bundle.pem), for a region the library's CA list does not cover yet.",
            staging: undefined,
        },
        dataTierClientSecurityGroupIds: {
            key: "awsDataTierClientSecurityGroupIds",
            type: "array",
            description: "More security groups PostgreSQL and Valkey admit besides the API's (a reporting job, a bastion).",
            staging: undefined,
            unused: "security groups are AWS; on Kubernetes the data zone's NetworkPolicies admit pods",
            check: optional((v, f, ids) => {
                if (!Array.isArray(ids)) return v.fail(f, ids, "a list of security group ids");
                ids.forEach((id, i) => v.matches(`${f}[${i}]`, id, /^sg-[0-9a-f]{8,17}$/, "a security group id (sg-...)"));
                v.unique(f, ids);
            }),
        },
        internetEgress: {
            key: "awsInternetEgress",
            type: "boolean",
            description: "HTTPS to the internet from the API and GPU hosts (off: endpoints only, images from ECR, models from S3).",
            development: false,
            staging: true,
            production: false,
            unused: "egress on Kubernetes is the NetworkPolicies' allow-lists (egressDestinations, k8sApiEgressCidrs, k8sModelSourceCidrs, k8sAllowInternetEgress)",
            check: (v, f, x, s) => {
                if (!v.bool(f, x) || x) return;
                // Without the internet, tasks and hosts pull only from ECR in the stack's region (the endpoints).
                const ecr = ecrImageRe(s.aws.region);
                const remedy = `an image in ECR of ${s.aws.region} (<account>.dkr.ecr.${s.aws.region}.amazonaws.com/<repository>:<tag>@sha256:<digest>, the digest required in production) while aws.internetEgress is false: copy it there (docs/aws.md "No internet egress"), or set awsInternetEgress true`;
                if (!ecr.test(s.api.image)) v.fail("api.image", s.api.image, remedy);
                if (s.llm.enabled && !ecr.test(s.llm.image)) v.fail("llm.image", s.llm.image, remedy);
            },
        },
    },
    validate: (v, s) => {
        if (s.aws.internetEgress === true && s.network.natStrategy === "none" && !s.aws.existingVpc)
            v.fail(
                "aws.internetEgress",
                true,
                "false while network.natStrategy is none (the private subnets have no route to the internet); or set natStrategy single or perAz",
            );
        checkAwsEgressDestinations(v, s);
        if (s.aws.certificateArn === undefined && s.aws.hostedZoneId === undefined)
            v.fail(
                "aws.certificateArn / aws.hostedZoneId",
                undefined,
                "one of them: HTTPS needs a certificate (given, or issued with DNS validation in the zone)",
            );
    },
});
