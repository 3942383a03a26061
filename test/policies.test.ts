import * as assert from "assert";
import type { PolicyPackConfig } from "@pulumi/policy";
import {
    allRules,
    buildPolicies,
    exceptionProblem,
    EXCEPTIONS_REPORT_POLICY,
    optionsFromEnv,
    developmentConfig,
    productionConfig,
    selectRules,
    withDefaults,
} from "../policies/lib";
import { evaluate } from "../policies/lib/evaluate";
import { RecordedResource, ResourceLog } from "../testing/mocks";
import { digestStanding } from "../components/core/images";
import { evaluatePack, toAnalyzed } from "../testing/policy";
import * as path from "path";
import { policiesMarkdown, POLICIES_DOC } from "../tools/gen-docs";
import { ProgramRun, repoRoot, runProgram } from "../testing/program";

type Mutation = (rs: RecordedResource[]) => void;
const runs: Record<string, ProgramRun> = {};

const clone = (rs: RecordedResource[]): RecordedResource[] => JSON.parse(JSON.stringify(rs));
const byName = (rs: RecordedResource[], type: string, suffix: string): RecordedResource => {
    const found = rs.filter((r) => r.type === type && (r.name === suffix || r.name.endsWith(`-${suffix}`)));
    if (found.length !== 1) throw new Error(`mutation target ${type} *-${suffix}: found ${found.length}`);
    return found[0];
};
const k8sNamed = (rs: RecordedResource[], type: string, name: string): RecordedResource => {
    const found = rs.filter((r) => r.type === type && (r.inputs as any).metadata?.name === name);
    if (found.length < 1) throw new Error(`mutation target ${type} ${name} not found`);
    return found[0];
};
const inp = (r: RecordedResource) => r.inputs as any;
const edit =
    (type: string, suffix: string, f: (i: any, r: RecordedResource) => void): Mutation =>
    (rs) =>
        f(inp(byName(rs, type, suffix)), byName(rs, type, suffix));
const editK8s =
    (type: string, name: string, f: (i: any) => void): Mutation =>
    (rs) =>
        f(inp(k8sNamed(rs, type, name)));
const drop =
    (pred: (r: RecordedResource) => boolean): Mutation =>
    (rs) => {
        const before = rs.length;
        for (let i = rs.length - 1; i >= 0; i--) if (pred(rs[i])) rs.splice(i, 1);
        assert.ok(rs.length < before, "the mutation removed nothing");
    };
const add =
    (type: string, name: string, inputs: Record<string, unknown>, propertyDependencies: Record<string, string[]> = {}): Mutation =>
    (rs) => {
        rs.push({
            urn: `urn:pulumi:test::rag-platform::${type}::${name}`,
            engineUrn: `urn:pulumi:test::rag-platform::${type}::${name}`,
            type,
            name,
            custom: true,
            inputs,
            state: inputs,
            secretPaths: [],
            replaceOnChanges: [],
            deleteBeforeReplace: false,
            dependencies: [],
            propertyDependencies,
            protect: false,
            retainOnDelete: false,
            ignoreChanges: [],
            aliases: [],
            remote: false,
        });
    };
const containerDefs = (suffix: string, f: (containers: any[]) => void): Mutation =>
    edit("aws:ecs/taskDefinition:TaskDefinition", suffix, (i) => {
        const c = JSON.parse(i.containerDefinitions);
        f(c);
        i.containerDefinitions = JSON.stringify(c);
    });
const apiPod = (f: (pod: any, c: any) => void): Mutation =>
    editK8s("kubernetes:apps/v1:Deployment", "api", (i) => f(i.spec.template.spec, i.spec.template.spec.containers[0]));
const prodTags = { Owner: "x", Environment: "production", DataClassification: "internal" };

const A = {
    rds: "aws:rds/instance:Instance",
    params: "aws:rds/parameterGroup:ParameterGroup",
    proxy: "aws:rds/proxy:Proxy",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    lt: "aws:ec2/launchTemplate:LaunchTemplate",
    kms: "aws:kms/key:Key",
    secret: "aws:secretsmanager/secret:Secret",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    trail: "aws:cloudtrail/trail:Trail",
    topic: "aws:sns/topic:Topic",
    listener: "aws:lb/listener:Listener",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    role: "aws:iam/role:Role",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    service: "aws:ecs/service:Service",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    bucket: "aws:s3/bucket:Bucket",
};

/** One mutation per rule: [rule, stack, mutation, optional policy config]. */
/**
 * Production with named egress destinations (network.egressDestinations): the stack with the AWS
 * Network Firewall, whose rules are mutated on it. The firewall's ~$980 a month is over the
 * repository's production budget (docs/cost.md): the budget is raised for this run.
 */
/** The web front end on: the example's built files (AWS), an image of them (Kubernetes). */
const FRONTEND_SET = {
    aws: { frontendEnabled: "true", frontendSource: "examples/frontend/dist" },
    kubernetes: {
        frontendEnabled: "true",
        frontendImage: "ghcr.io/example-gov/rag-frontend:1.0.0@sha256:85113ed2ff8902486e8d5bc9925299cc0f654c56ba66622033f4696162d3525a",
    },
};
const CDN = "aws:cloudfront/distribution:Distribution";
const EGRESS_SET = {
    egressDestinations: JSON.stringify([
        { name: "openai", host: "api.openai.com", ports: [443] },
        { name: "ldap", cidr: "10.200.0.10/32", ports: [636] },
    ]),
};
const EGRESS_BUDGET: PolicyPackConfig = { "aws-billing-stack-restrict-monthly-cost": { enforcementLevel: "mandatory", monthlyBudget: 6000 } };

/**
 * Production with the gateway's rate limit enforced by Envoy Gateway (k8sGatewayRateLimit), login
 * and WebSocket paths: the BackendTrafficPolicies the rate-limit rule reads. The rule is advisory
 * in production (the default GatewayClass has no policy): its mutations run it as mandatory.
 */
const RATE_LIMIT_SET = { k8sGatewayRateLimit: "envoy-gateway", edgeLoginPaths: '["/auth/login"]', edgeWebSocketPaths: '["/ws"]' };
const RATE_LIMIT_MANDATORY: PolicyPackConfig = { "kubernetes-edge-route-require-rate-limit": "mandatory" };
/** Every image of the production Kubernetes stack pinned by digest (what a filled images.lock.json gives the defaults). */
const BY_DIGEST = `@sha256:${"0123456789abcdef".repeat(4)}`;
const DIGEST_SET = {
    apiImage: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/rag-api:1.4.2${BY_DIGEST}`,
    llmImage: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/ollama/ollama:0.12.6${BY_DIGEST}`,
    k8sValkeyImage: `valkey/valkey:8.1.4${BY_DIGEST}`,
    k8sPostgresImage: `ghcr.io/cloudnative-pg/postgresql:16.10-standard-bookworm${BY_DIGEST}`,
    k8sBackupImage: `amazon/aws-cli:2.31.18${BY_DIGEST}`,
    k8sDocumentsBackupImage: `rclone/rclone:1.71.1${BY_DIGEST}`,
};
/** The digest rules for the library's defaults, advisory in production (they find only defaults the lock has no digest for), run as mandatory. */
const DEFAULT_DIGESTS_MANDATORY: PolicyPackConfig = {
    "kubernetes-core-pod-require-default-image-digests": "mandatory",
    "aws-ecs-taskdefinition-require-default-image-digests": "mandatory",
};
/** A tag without its digest (what a stack file with `image:tag` alone gives). */
const withoutDigest = (image: string) => image.split("@")[0];

/**
 * The production AWS run with every library default in its task definitions by digest, as a filled
 * images.lock.json gives them (the defaults through the ECR pull-through cache keep their tag in a
 * real plan; here they carry one too, so that one default back to its tag is the only finding).
 */
function withDefaultsPinned(run: ProgramRun): ProgramRun {
    const all = clone(run.resources.all);
    let pinned = 0;
    for (const r of all.filter((x) => x.type === "aws:ecs/taskDefinition:TaskDefinition")) {
        const defs = JSON.parse(inp(r).containerDefinitions);
        for (const c of defs)
            if (digestStanding(c.image, undefined, { ecrPublicCache: true }) === "unpinned-default") {
                c.image = `${c.image}${BY_DIGEST}`;
                pinned++;
            }
        inp(r).containerDefinitions = JSON.stringify(defs);
    }
    assert.ok(pinned > 0, "the production AWS stack runs library defaults");
    return { ...run, resources: { all } as unknown as ResourceLog };
}

const MUTATIONS: [
    string,
    (
        | "aws"
        | "kubernetes"
        | "aws-egress"
        | "kubernetes-egress"
        | "kubernetes-ratelimit"
        | "aws-frontend"
        | "kubernetes-frontend"
        | "kubernetes-digests"
        | "aws-digests"
    ),
    Mutation,
    PolicyPackConfig?,
][] = [
    ["aws-rds-instance-require-storage-encryption", "aws", edit(A.rds, "db-primary", (i) => (i.storageEncrypted = false))],
    ["aws-rds-instance-require-performance-insights-kms", "aws", edit(A.rds, "db-primary", (i) => delete i.performanceInsightsKmsKeyId)],
    ["aws-rds-proxy-require-tls-and-iam-auth", "aws", edit(A.proxy, "db-proxy", (i) => (i.defaultAuthScheme = "NONE"))],
    [
        "aws-rds-parametergroup-require-force-ssl",
        "aws",
        edit(A.params, "db-params", (i) => (i.parameters = i.parameters.filter((p: any) => p.name !== "rds.force_ssl"))),
    ],
    [
        "aws-rds-instance-require-tls-parameter-group",
        "aws",
        edit(A.rds, "db-primary", (i, r) => {
            i.parameterGroupName = "default.postgres16";
            r.propertyDependencies.parameterGroupName = [];
        }),
    ],
    ["aws-elasticache-replicationgroup-require-at-rest-encryption", "aws", edit(A.redis, "valkey", (i) => (i.atRestEncryptionEnabled = false))],
    ["aws-elasticache-replicationgroup-require-transit-encryption", "aws", edit(A.redis, "valkey", (i) => (i.transitEncryptionEnabled = false))],
    ["aws-elasticache-replicationgroup-require-auth-token", "aws", edit(A.redis, "valkey", (i) => delete i.authToken)],
    [
        "aws-s3-bucket-require-kms-encryption",
        "aws",
        edit(A.sse, "storage-documents-encryption", (i) => (i.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }])),
    ],
    [
        "aws-s3-bucket-require-tls-only-policy",
        "aws",
        edit(A.bucketPolicy, "storage-documents-policy", (i) => {
            const doc = JSON.parse(i.policy);
            doc.Statement = doc.Statement.filter((s: any) => s.Sid !== "DenyInsecureTransport");
            i.policy = JSON.stringify(doc);
        }),
    ],
    ["aws-ec2-launchtemplate-require-encrypted-volumes", "aws", edit(A.lt, "llm-gpu", (i) => (i.blockDeviceMappings[0].ebs.encrypted = "false"))],
    [
        "aws-ec2-instance-require-encrypted-volumes",
        "aws",
        add("aws:ec2/instance:Instance", "bastion", { rootBlockDevice: { encrypted: false }, metadataOptions: { httpTokens: "required" }, tags: prodTags }),
    ],
    ["aws-ebs-volume-require-encryption", "aws", add("aws:ebs/volume:Volume", "scratch", { encrypted: false, size: 10 })],
    ["aws-kms-key-enable-rotation", "aws", edit(A.kms, "keys-data", (i) => (i.enableKeyRotation = false))],
    [
        "aws-kms-key-disallow-public-principal",
        "aws",
        edit(A.kms, "keys-data", (i) => {
            const doc = JSON.parse(i.policy);
            doc.Statement.push({ Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" });
            i.policy = JSON.stringify(doc);
        }),
    ],
    ["aws-secretsmanager-secret-require-cmk", "aws", edit(A.secret, "cache-auth", (i) => delete i.kmsKeyId)],
    ["aws-cloudwatch-loggroup-require-kms", "aws", edit(A.logGroup, "flow-logs", (i) => delete i.kmsKeyId)],
    ["aws-cloudtrail-trail-require-kms", "aws", edit(A.trail, "audit-trail", (i) => delete i.kmsKeyId)],
    ["aws-sns-topic-require-kms", "aws", edit(A.topic, "alarms", (i) => delete i.kmsMasterKeyId)],
    ["aws-lb-listener-require-tls-policy", "aws", edit(A.listener, "edge-https", (i) => (i.sslPolicy = "ELBSecurityPolicy-2016-08"))],
    [
        "aws-lb-listener-require-https-redirect",
        "aws",
        edit(A.listener, "edge-http", (i) => (i.defaultActions = [{ type: "forward", targetGroupArn: "arn:tg" }])),
    ],
    [
        "aws-iam-policy-disallow-wildcard-action",
        "aws",
        edit(A.rolePolicy, "api-task", (i) => {
            const doc = JSON.parse(i.policy);
            doc.Statement.push({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::x" });
            i.policy = JSON.stringify(doc);
        }),
    ],
    [
        "aws-iam-policy-disallow-wildcard-resource",
        "aws",
        edit(A.rolePolicy, "api-task", (i) => {
            const doc = JSON.parse(i.policy);
            doc.Statement.push({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" });
            i.policy = JSON.stringify(doc);
        }),
    ],
    [
        "aws-iam-role-disallow-admin-policies",
        "aws",
        add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "admin", { role: "x", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }),
    ],
    [
        "aws-iam-role-require-service-trust",
        "aws",
        edit(
            A.role,
            "api-task",
            (i) => (i.assumeRolePolicy = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] })),
        ),
    ],
    [
        "aws-ec2-securitygroup-disallow-public-ingress",
        "aws",
        edit(A.ingress, "api-from-alb", (i) => {
            delete i.referencedSecurityGroupId;
            i.cidrIpv4 = "0.0.0.0/0";
        }),
    ],
    ["aws-ec2-securitygroup-require-rule-descriptions", "aws", edit(A.ingress, "api-from-alb", (i) => delete i.description)],
    ["aws-ec2-securitygroup-restrict-data-tier-sources", "aws", edit(A.ingress, "db-from-app-0", (i) => (i.cidrIpv4 = "10.0.0.0/8"))],
    ["aws-ecs-service-disallow-public-ip", "aws", edit(A.service, "api-service", (i) => (i.networkConfiguration.assignPublicIp = true))],
    ["aws-ec2-launchtemplate-disallow-public-ip", "aws", edit(A.lt, "llm-gpu", (i) => (i.networkInterfaces[0].associatePublicIpAddress = "true"))],
    ["aws-ec2-launchtemplate-require-imdsv2", "aws", edit(A.lt, "llm-gpu", (i) => (i.metadataOptions.httpTokens = "optional"))],
    [
        "aws-ec2-instance-require-imdsv2",
        "aws",
        add("aws:ec2/instance:Instance", "legacy", { rootBlockDevice: { encrypted: true }, metadataOptions: { httpTokens: "optional" }, tags: prodTags }),
    ],
    ["aws-ec2-launchtemplate-disallow-ssh-key", "aws", edit(A.lt, "llm-gpu", (i) => (i.keyName = "ops"))],
    ["aws-rds-instance-disallow-public-access", "aws", edit(A.rds, "db-primary", (i) => (i.publiclyAccessible = true))],
    ["aws-rds-instance-require-iam-auth", "aws", edit(A.rds, "db-primary", (i) => (i.iamDatabaseAuthenticationEnabled = false))],
    ["aws-ecs-taskdefinition-disallow-privileged", "aws", containerDefs("api-task", (c) => (c[0].privileged = true))],
    ["aws-ecs-taskdefinition-disallow-host-namespaces", "aws", edit("aws:ecs/taskDefinition:TaskDefinition", "api-task", (i) => (i.pidMode = "host"))],
    [
        "aws-ecs-taskdefinition-disallow-plain-secrets",
        "aws",
        containerDefs("api-task", (c) => c[0].environment.push({ name: "DB_PASSWORD", value: "hunter2" })),
    ],
    ["aws-ecs-taskdefinition-require-non-root", "aws", containerDefs("api-task", (c) => (c[0].user = "0"))],
    ["aws-lb-loadbalancer-require-drop-invalid-headers", "aws", edit(A.alb, "edge-alb", (i) => (i.dropInvalidHeaderFields = false))],
    ["aws-rds-instance-require-backup-retention", "aws", edit(A.rds, "db-primary", (i) => (i.backupRetentionPeriod = 1))],
    ["aws-rds-instance-require-deletion-protection", "aws", edit(A.rds, "db-primary", (i) => (i.deletionProtection = false))],
    ["aws-rds-instance-require-final-snapshot", "aws", edit(A.rds, "db-primary", (i) => (i.skipFinalSnapshot = true))],
    ["aws-rds-instance-require-multi-az", "aws", edit(A.rds, "db-primary", (i) => (i.multiAz = false))],
    // A four-GPU instance for the LLM takes production over its $5,000 budget.
    ["aws-billing-stack-restrict-monthly-cost", "aws", edit(A.lt, "llm-gpu", (i) => (i.instanceType = "g5.12xlarge"))],
    // Production readiness (careless production settings that pass every encryption rule).
    [
        "aws-rds-instance-require-cross-region-backup",
        "aws",
        drop((r) => r.type === "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"),
    ],
    ["aws-ec2-natgateway-require-per-az", "aws", drop((r) => r.type === "aws:ec2/natGateway:NatGateway" && !r.name.endsWith("nat-0"))],
    [
        "aws-ec2-subnet-require-zone-count",
        "aws",
        (rs) => {
            const subnets = rs.filter((r) => r.type === "aws:ec2/subnet:Subnet" && inp(r).tags.Tier === "private");
            for (const s of subnets) inp(s).availabilityZone = inp(subnets[0]).availabilityZone;
        },
    ],
    ["aws-appautoscaling-target-require-min-capacity", "aws", edit("aws:appautoscaling/target:Target", "api-scaling", (i) => (i.minCapacity = 1))],
    [
        "aws-autoscaling-group-require-on-demand-base",
        "aws",
        edit("aws:autoscaling/group:Group", "llm-gpu", (i) => {
            i.mixedInstancesPolicy = {
                instancesDistribution: { onDemandBaseCapacity: 0, onDemandPercentageAboveBaseCapacity: 0, spotAllocationStrategy: "price-capacity-optimized" },
                launchTemplate: { launchTemplateSpecification: { launchTemplateId: i.launchTemplate?.id, version: "$Latest" } },
            };
            delete i.launchTemplate;
        }),
    ],
    [
        "aws-wafv2-webacl-restrict-rate-limit",
        "aws",
        edit("aws:wafv2/webAcl:WebAcl", "waf-acl", (i) => {
            for (const r of i.rules) if (r.statement?.rateBasedStatement) r.statement.rateBasedStatement.limit = 100000000;
        }),
    ],
    ["aws-backup-vault-require-kms", "aws", edit("aws:backup/vault:Vault", "backup-vault", (i) => delete i.kmsKeyArn)],
    [
        "aws-backup-vault-require-lock",
        "aws",
        drop((r) => r.type === "aws:backup/vaultLockConfiguration:VaultLockConfiguration" && r.name.endsWith("backup-vault-lock")),
    ],
    [
        "aws-secretsmanager-secret-require-age-check",
        "aws",
        edit("aws:cloudwatch/eventTarget:EventTarget", "secret-age-target", (i, r) => {
            const input = JSON.parse(i.input);
            delete input.secrets["cache-auth"];
            i.input = JSON.stringify(input);
            r.propertyDependencies.input = [];
        }),
    ],
    [
        "aws-ec2-securitygroup-restrict-internet-egress",
        "aws",
        edit("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "api-https-endpoints", (i) => (i.cidrIpv4 = "0.0.0.0/0")),
    ],
    [
        // the hosts' one-port rule to 0.0.0.0/0 is accepted only behind a firewall that drops by default
        "aws-ec2-securitygroup-restrict-internet-egress",
        "aws-egress",
        edit("aws:networkfirewall/firewallPolicy:FirewallPolicy", "policy", (i) => (i.firewallPolicy.statefulDefaultActions = ["aws:alert_established"])),
        EGRESS_BUDGET,
    ],
    [
        // ... and only when the private subnets cannot reach a NAT gateway around it
        "aws-ec2-securitygroup-restrict-internet-egress",
        "aws-egress",
        (rs) => {
            const route = byName(rs, "aws:ec2/route:Route", "private-default-0");
            const nat = byName(rs, "aws:ec2/natGateway:NatGateway", "nat-0");
            delete inp(route).vpcEndpointId;
            inp(route).natGatewayId = (nat.state as any).id ?? nat.name;
            route.propertyDependencies = { ...route.propertyDependencies, natGatewayId: [nat.urn] };
        },
        EGRESS_BUDGET,
    ],
    [
        "aws-networkfirewall-firewallpolicy-require-default-drop",
        "aws-egress",
        edit("aws:networkfirewall/firewallPolicy:FirewallPolicy", "policy", (i) => (i.firewallPolicy.statelessDefaultActions = ["aws:pass"])),
        EGRESS_BUDGET,
    ],
    [
        "aws-networkfirewall-firewall-require-logging",
        "aws-egress",
        edit("aws:networkfirewall/loggingConfiguration:LoggingConfiguration", "logging", (i) => i.loggingConfiguration.logDestinationConfigs.pop()),
        EGRESS_BUDGET,
    ],
    ["aws-lambda-permission-require-source", "aws", edit("aws:lambda/permission:Permission", "secret-age-invoke", (i) => delete i.sourceArn)],
    ["aws-elasticache-replicationgroup-require-automatic-failover", "aws", edit(A.redis, "valkey", (i) => (i.automaticFailoverEnabled = false))],
    ["aws-lb-loadbalancer-require-deletion-protection", "aws", edit(A.alb, "edge-alb", (i) => (i.enableDeletionProtection = false))],
    ["aws-lb-loadbalancer-require-access-logs", "aws", edit(A.alb, "edge-alb", (i) => (i.accessLogs.enabled = false))],
    ["aws-lb-loadbalancer-require-waf", "aws", drop((r) => r.type === "aws:wafv2/webAclAssociation:WebAclAssociation")],
    // The web front end (frontendEnabled): CloudFront without OAC, without WAF, below TLS 1.2, without logs.
    [
        "aws-cloudfront-distribution-require-oac",
        "aws-frontend",
        edit(CDN, "frontend-cdn", (i) => {
            delete i.origins[0].originAccessControlId;
            i.origins[0].s3OriginConfig = { originAccessIdentity: "origin-access-identity/cloudfront/E2EXAMPLE" };
        }),
    ],
    [
        "aws-cloudfront-distribution-require-oac",
        "aws-frontend",
        edit(CDN, "frontend-cdn", (i) => (i.origins[0].domainName = "public-site.s3-website-eu-west-1.amazonaws.com")),
    ],
    [
        "aws-cloudfront-distribution-require-waf",
        "aws-frontend",
        edit(CDN, "frontend-cdn", (i, r) => ((i.webAclId = ""), (r.propertyDependencies.webAclId = []))),
    ],
    [
        "aws-cloudfront-distribution-require-waf",
        "aws-frontend",
        drop((r) => r.type === "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration" && r.name.includes("frontend-waf")),
    ],
    [
        "aws-cloudfront-distribution-require-tls",
        "aws-frontend",
        edit(CDN, "frontend-cdn", (i) => (i.viewerCertificate.minimumProtocolVersion = "TLSv1.1_2016")),
    ],
    [
        "aws-cloudfront-distribution-require-tls",
        "aws-frontend",
        edit(CDN, "frontend-cdn", (i) => (i.viewerCertificate = { cloudfrontDefaultCertificate: true })),
    ],
    [
        "aws-cloudfront-distribution-require-tls",
        "aws-frontend",
        edit(CDN, "frontend-cdn", (i) => (i.orderedCacheBehaviors[0].viewerProtocolPolicy = "allow-all")),
    ],
    [
        "aws-cloudfront-distribution-require-tls",
        "aws-frontend",
        edit(CDN, "frontend-cdn", (i) => (i.origins[1].customOriginConfig.originSslProtocols = ["TLSv1", "TLSv1.2"])),
    ],
    ["aws-cloudfront-distribution-require-logging", "aws-frontend", drop((r) => r.type === "aws:cloudwatch/logDelivery:LogDelivery")],
    ["aws-ec2-vpc-require-flow-logs", "aws", drop((r) => r.type === "aws:ec2/flowLog:FlowLog")],
    ["aws-cloudtrail-trail-require-multi-region-validation", "aws", edit(A.trail, "audit-trail", (i) => (i.isMultiRegionTrail = false))],
    ["aws-cloudwatch-loggroup-require-retention", "aws", edit(A.logGroup, "flow-logs", (i) => (i.retentionInDays = 7))],
    ["aws-s3-bucket-require-versioning", "aws", edit(A.versioning, "storage-documents-versioning", (i) => (i.versioningConfiguration.status = "Suspended"))],
    ["aws-s3-bucket-require-public-access-block", "aws", edit(A.pab, "storage-documents-public-access", (i) => (i.blockPublicPolicy = false))],
    ["aws-all-resource-require-tags", "aws", edit(A.rds, "db-primary", (i) => delete i.tags.Owner)],
    ["aws-ecs-taskdefinition-require-readonly-rootfs", "aws", containerDefs("llm-task", (c) => delete c[c.length - 1].readonlyRootFilesystem)],
    [
        "aws-s3-bucket-require-access-logging",
        "aws",
        drop((r) => r.type === "aws:s3/bucketLogging:BucketLogging" && r.name.endsWith("storage-documents-logging")),
    ],
    ["aws-s3-bucket-require-object-lock", "aws", edit(A.bucket, "storage-backups-bucket", (i) => delete i.objectLockEnabled)],
    ["aws-ec2-vpcendpoint-require-account-policy", "aws", edit("aws:ec2/vpcEndpoint:VpcEndpoint", "network-ep-kms", (i) => delete i.policy)],
    [
        // the AWS-owned read statement widened to any bucket: no longer exempt from the account condition
        "aws-ec2-vpcendpoint-require-account-policy",
        "aws",
        edit("aws:ec2/vpcEndpoint:VpcEndpoint", "network-s3", (i) => {
            const policy = JSON.parse(i.policy);
            policy.Statement.find((st: any) => st.Sid === "AwsOwnedResources").Resource.push("arn:aws:s3:::attacker-bucket/*");
            i.policy = JSON.stringify(policy);
        }),
    ],
    ["aws-kms-key-require-scoped-policy", "aws", edit(A.kms, "db-backup-key", (i) => delete i.policy)],
    ["aws-all-stateful-require-protect", "aws", edit(A.rds, "db-primary", (_i, r) => (r.protect = false))],

    ["kubernetes-core-pod-disallow-privileged", "kubernetes", apiPod((_p, c) => (c.securityContext.privileged = true))],
    ["kubernetes-core-pod-disallow-privilege-escalation", "kubernetes", apiPod((_p, c) => (c.securityContext.allowPrivilegeEscalation = true))],
    [
        "kubernetes-core-pod-require-run-as-non-root",
        "kubernetes",
        apiPod((p, c) => {
            p.securityContext.runAsNonRoot = false;
            delete c.securityContext.runAsNonRoot;
        }),
    ],
    [
        "kubernetes-core-pod-require-seccomp-profile",
        "kubernetes",
        apiPod((p, c) => {
            p.securityContext.seccompProfile = { type: "Unconfined" };
            delete c.securityContext.seccompProfile;
        }),
    ],
    ["kubernetes-core-pod-require-drop-all-capabilities", "kubernetes", apiPod((_p, c) => (c.securityContext.capabilities = { drop: [], add: ["NET_ADMIN"] }))],
    ["kubernetes-core-pod-disallow-host-namespaces", "kubernetes", apiPod((p) => (p.hostNetwork = true))],
    ["kubernetes-core-pod-disallow-host-ports", "kubernetes", apiPod((_p, c) => (c.ports[0].hostPort = 8000))],
    ["kubernetes-core-pod-disallow-host-path-volumes", "kubernetes", apiPod((p) => p.volumes.push({ name: "host", hostPath: { path: "/var/run" } }))],
    ["kubernetes-core-pod-require-read-only-root-filesystem", "kubernetes", apiPod((_p, c) => (c.securityContext.readOnlyRootFilesystem = false))],
    ["kubernetes-core-pod-disallow-token-automount", "kubernetes", apiPod((p) => (p.automountServiceAccountToken = true))],
    ["kubernetes-core-pod-require-dedicated-service-account", "kubernetes", apiPod((p) => (p.serviceAccountName = "default"))],
    [
        "kubernetes-core-serviceaccount-disallow-token-automount",
        "kubernetes",
        editK8s("kubernetes:core/v1:ServiceAccount", "api", (i) => (i.automountServiceAccountToken = true)),
    ],
    [
        "kubernetes-rbac-role-disallow-wildcards",
        "kubernetes",
        add("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "god", {
            metadata: { name: "god" },
            rules: [{ apiGroups: [""], resources: ["*"], verbs: ["*"] }],
        }),
    ],
    [
        "kubernetes-rbac-binding-disallow-cluster-admin",
        "kubernetes",
        add("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "admins", {
            metadata: { name: "admins" },
            roleRef: { kind: "ClusterRole", name: "cluster-admin" },
        }),
    ],
    [
        "kubernetes-core-service-disallow-exposed-data-services",
        "kubernetes",
        editK8s("kubernetes:core/v1:Service", "valkey-sentinel", (i) => (i.spec.type = "LoadBalancer")),
    ],
    [
        "kubernetes-networking-networkpolicy-disallow-shared-namespace-ingress",
        "kubernetes",
        editK8s("kubernetes:networking.k8s.io/v1:NetworkPolicy", "api-ingress", (i) => delete i.spec.ingress[0].from[0].podSelector),
    ],
    [
        "kubernetes-networking-networkpolicy-restrict-internet-egress",
        "kubernetes",
        editK8s("kubernetes:networking.k8s.io/v1:NetworkPolicy", "ollama-egress", (i) => (i.spec.egress[0].to = [{ ipBlock: { cidr: "0.0.0.0/0" } }])),
    ],
    [
        "kubernetes-cilium-ciliumnetworkpolicy-restrict-internet-egress",
        "kubernetes-egress",
        editK8s("kubernetes:cilium.io/v2:CiliumNetworkPolicy", "egress-openai", (i) => (i.spec.egress[1].toFQDNs = [{ matchPattern: "*" }])),
    ],
    [
        "kubernetes-cilium-ciliumnetworkpolicy-restrict-internet-egress",
        "kubernetes-egress",
        editK8s("kubernetes:cilium.io/v2:CiliumNetworkPolicy", "egress-openai", (i) => i.spec.egress.push({ toEntities: ["world"] })),
    ],
    [
        "kubernetes-core-pod-require-pinned-images",
        "kubernetes",
        apiPod((_p, c) => (c.image = "registry.internal.example.gov/ghcr.io/example-gov/rag-api:latest")),
    ],
    // The stack's own images (production's file pins them by digest): a tag alone is caught, mandatory
    // in the production config, in a container and in the CloudNativePG cluster's imageName.
    ["kubernetes-core-pod-require-image-digests", "kubernetes", apiPod((_p, c) => (c.image = withoutDigest(c.image)))],
    [
        "kubernetes-core-pod-require-image-digests",
        "kubernetes",
        (rs) => (inp(rs.find((r) => inp(r).kind === "Cluster")!).spec.imageName = "registry.internal.example.gov/ghcr.io/example-gov/postgis:16-3.5"),
    ],
    // A library default the lock has no digest for (here, with every image pinned as a filled lock gives them, one default back to its tag).
    [
        "kubernetes-core-pod-require-default-image-digests",
        "kubernetes-digests",
        editK8s(
            "kubernetes:apps/v1:StatefulSet",
            "valkey",
            (i) => (i.spec.template.spec.containers[0].image = withoutDigest(i.spec.template.spec.containers[0].image)),
        ),
        DEFAULT_DIGESTS_MANDATORY,
    ],
    ["aws-ecs-taskdefinition-require-image-digests", "aws", containerDefs("api-task", (c) => (c[0].image = withoutDigest(c[0].image)))],
    ["aws-ecs-taskdefinition-require-image-digests", "aws", containerDefs("llm-task", (c) => (c[c.length - 1].image = withoutDigest(c[c.length - 1].image)))],
    [
        "aws-ecs-taskdefinition-require-default-image-digests",
        "aws-digests",
        containerDefs("api-db-bootstrap", (c) => (c[0].image = withoutDigest(c[0].image))),
        DEFAULT_DIGESTS_MANDATORY,
    ],
    [
        "kubernetes-core-pod-require-allowed-registries",
        "kubernetes",
        apiPod((_p, c) => (c.image = "docker.io/evil/api:1.0")),
        { "kubernetes-core-pod-require-allowed-registries": { enforcementLevel: "mandatory", allowedRegistries: ["registry.internal.example.gov"] } },
    ],
    ["kubernetes-core-pod-require-resources", "kubernetes", apiPod((_p, c) => delete c.resources.requests)],
    ["kubernetes-core-pod-require-probes", "kubernetes", apiPod((_p, c) => delete c.readinessProbe)],
    ["kubernetes-core-pod-disallow-literal-secrets", "kubernetes", apiPod((_p, c) => c.env.push({ name: "API_TOKEN", value: "literal" }))],
    [
        "kubernetes-core-pod-require-verified-database-tls",
        "kubernetes",
        apiPod((_p, c) => (c.env.find((e: any) => e.name === "DATABASE_SSLMODE").value = "require")),
    ],
    [
        "kubernetes-core-pod-require-verified-database-tls",
        "kubernetes",
        editK8s("kubernetes:batch/v1:CronJob", "pg-dump", (i) => {
            const c = i.spec.jobTemplate.spec.template.spec.initContainers[0];
            c.command[2] = c.command[2].replace("sslmode=verify-full", "sslmode=prefer");
        }),
    ],
    [
        "kubernetes-core-namespace-require-pod-security-restricted",
        "kubernetes",
        editK8s("kubernetes:core/v1:Namespace", "rag-prod-app", (i) => (i.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline")),
    ],
    [
        "kubernetes-networking-ingress-require-tls",
        "kubernetes",
        add("kubernetes:networking.k8s.io/v1:Ingress", "plain", {
            metadata: { name: "plain", namespace: "rag-prod-app" },
            spec: { rules: [{ host: "plain.example.gov" }] },
        }),
    ],
    [
        "kubernetes-gateway-listener-require-tls",
        "kubernetes",
        (rs) => {
            const route = rs.find((r) => inp(r).kind === "HTTPRoute" && inp(r).metadata.name === "api")!;
            inp(route).spec.parentRefs[0].sectionName = "http";
        },
    ],
    [
        "kubernetes-cnpg-cluster-require-tls",
        "kubernetes",
        (rs) => inp(rs.find((r) => inp(r).kind === "Cluster")!).spec.postgresql.pg_hba.unshift("host all all all md5"),
    ],
    ["kubernetes-cnpg-cluster-require-backups", "kubernetes", (rs) => (inp(rs.find((r) => inp(r).kind === "Cluster")!).spec.plugins = [])],
    ["kubernetes-cnpg-cluster-require-instances", "kubernetes", (rs) => (inp(rs.find((r) => inp(r).kind === "Cluster")!).spec.instances = 1)],
    [
        "kubernetes-cnpg-cluster-require-synchronous-replication",
        "kubernetes",
        (rs) => delete inp(rs.find((r) => inp(r).kind === "Cluster")!).spec.postgresql.synchronous,
    ],
    [
        "kubernetes-valkey-server-require-tls",
        "kubernetes",
        editK8s("kubernetes:apps/v1:StatefulSet", "valkey-sentinel", (i) => {
            const args: string[] = i.spec.template.spec.containers[0].args;
            args[args.indexOf("--port") + 1] = "26379";
        }),
    ],
    ["kubernetes-all-stateful-require-protect", "kubernetes", (rs) => (rs.find((r) => inp(r).kind === "Cluster")!.protect = false)],
    [
        "kubernetes-apps-deployment-require-replicas",
        "kubernetes",
        editK8s("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "api", (i) => (i.spec.minReplicas = 1)),
    ],
    [
        "kubernetes-apps-deployment-require-pdb",
        "kubernetes",
        drop((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget" && inp(r).metadata.name === "api"),
    ],
    // The front end's own PDB and HPA minimum in production.
    [
        "kubernetes-apps-deployment-require-pdb",
        "kubernetes-frontend",
        drop((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget" && inp(r).metadata.name === "frontend"),
    ],
    [
        "kubernetes-apps-deployment-require-replicas",
        "kubernetes-frontend",
        editK8s("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "frontend", (i) => (i.spec.minReplicas = 1)),
    ],
    [
        "kubernetes-core-pod-require-read-only-root-filesystem",
        "kubernetes-frontend",
        editK8s("kubernetes:apps/v1:Deployment", "frontend", (i) => (i.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false)),
    ],
    [
        "kubernetes-edge-route-require-rate-limit",
        "kubernetes-ratelimit",
        drop((r) => inp(r).kind === "BackendTrafficPolicy" && inp(r).metadata.name === "api-websocket-limits"),
        RATE_LIMIT_MANDATORY,
    ],
    [
        "kubernetes-edge-route-require-rate-limit",
        "kubernetes-ratelimit",
        editK8s("kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy", "api-limits", (i) => delete i.spec.rateLimit),
        RATE_LIMIT_MANDATORY,
    ],
    [
        "kubernetes-networking-networkpolicy-require-workload-coverage",
        "kubernetes",
        drop((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && ["api-ingress", "api-egress"].includes(inp(r).metadata.name)),
    ],
    [
        "kubernetes-all-resource-require-labels",
        "kubernetes",
        editK8s("kubernetes:core/v1:Namespace", "rag-prod-app", (i) => delete i.metadata.labels["ragstack.io/owner"]),
    ],
];

describe("policy pack", function () {
    before(async () => {
        for (const stack of ["development", "staging", "production"])
            for (const target of ["aws", "kubernetes"]) runs[`${stack}-${target}`] = await runProgram(stack, { target });
        runs["production-aws-egress"] = await runProgram("production", { target: "aws", ...EGRESS_SET });
        runs["production-kubernetes-egress"] = await runProgram("production", { target: "kubernetes", ...EGRESS_SET, k8sFqdnPolicy: "cilium" });
        runs["production-kubernetes-ratelimit"] = await runProgram("production", { target: "kubernetes", ...RATE_LIMIT_SET });
        runs["production-kubernetes-digests"] = await runProgram("production", { target: "kubernetes", ...DIGEST_SET });
        runs["production-aws-digests"] = withDefaultsPinned(runs["production-aws"]);
        runs["production-aws-frontend"] = await runProgram("production", { target: "aws", ...FRONTEND_SET.aws });
        runs["production-kubernetes-frontend"] = await runProgram("production", { target: "kubernetes", ...FRONTEND_SET.kubernetes });
    });

    describe("rules", () => {
        it(`has at least 60 rules (has ${allRules.length}), each named vendor-service-resource-verb-object with full metadata`, () => {
            assert.ok(allRules.length >= 60);
            const names = new Set<string>();
            for (const r of allRules) {
                assert.match(r.name, /^(aws|kubernetes)-[a-z0-9]+-[a-z0-9]+-(disallow|enable|configure|require|restrict)-[a-z0-9-]+$/, r.name);
                assert.ok(!names.has(r.name), `duplicate ${r.name}`);
                names.add(r.name);
                assert.ok(r.description.length > 10 && r.remediation.length > 5, r.name);
                assert.ok(["low", "medium", "high", "critical"].includes(r.severity));
                assert.ok(Object.keys(r.frameworks).length > 0, `${r.name} maps to no framework`);
            }
        });

        it("docs/policies.md is generated from the rules and current (npm run docs)", () => {
            const fs = require("fs") as typeof import("fs"); // eslint-disable-line @typescript-eslint/no-require-imports
            assert.strictEqual(fs.readFileSync(POLICIES_DOC, "utf8"), policiesMarkdown());
        });

        it("every rule has a mutation below", () => {
            const covered = new Set(MUTATIONS.map((m) => m[0]));
            assert.deepStrictEqual(
                allRules.map((r) => r.name).filter((n) => !covered.has(n)),
                [],
            );
        });
    });

    describe("full stacks pass with zero mandatory violations", () => {
        for (const key of [
            "development-aws",
            "development-kubernetes",
            "staging-aws",
            "production-aws",
            "staging-kubernetes",
            "production-kubernetes",
            "production-aws-frontend",
            "production-kubernetes-frontend",
        ]) {
            it(`${key} (its environment's config: production everything mandatory, development all but resilience)`, async () => {
                const config = key.startsWith("production") ? productionConfig() : key.startsWith("development") ? developmentConfig() : undefined;
                const res = await evaluatePack(runs[key].resources.all, config);
                assert.deepStrictEqual(res.mandatory, []);
                assert.deepStrictEqual(res.undecided, []);
                assert.ok(res.policiesRun > allRules.length);
            });
        }
    });

    describe("the gateway's rate limit in production", () => {
        it("without a rate-limit policy (the default) the API route is reported, advisory; with Envoy Gateway's nothing is", async () => {
            const res = await evaluatePack(runs["production-kubernetes"].resources.all, productionConfig());
            const hits = res.violations.filter((v) => v.policy === "kubernetes-edge-route-require-rate-limit");
            assert.deepStrictEqual(
                hits.map((h) => [h.enforcementLevel, h.message]),
                [["advisory", "HTTPRoute api has no rate limit (no BackendTrafficPolicy with rateLimit targets it or its Gateway)"]],
            );
            const limited = await evaluatePack(runs["production-kubernetes-ratelimit"].resources.all, { ...productionConfig(), ...RATE_LIMIT_MANDATORY });
            assert.deepStrictEqual(limited.mandatory, []);
        });

        it("an Ingress without limit-rps or limit-rpm is reported; the login paths' Ingress with limit-rpm is not", async () => {
            const run = await runProgram("production", { target: "kubernetes", k8sEdgeMode: "ingress", edgeLoginPaths: '["/auth/login"]' });
            const ok = await evaluatePack(run.resources.all, { ...productionConfig(), ...RATE_LIMIT_MANDATORY });
            assert.deepStrictEqual(ok.mandatory, []);
            const mutated = clone(run.resources.all);
            editK8s("kubernetes:networking.k8s.io/v1:Ingress", "api-login", (i) => {
                delete i.metadata.annotations["nginx.ingress.kubernetes.io/limit-rpm"];
                delete i.metadata.annotations["nginx.ingress.kubernetes.io/limit-rps"];
            })(mutated);
            const res = await evaluatePack(mutated, { ...productionConfig(), ...RATE_LIMIT_MANDATORY });
            assert.deepStrictEqual(
                res.mandatory.filter((v) => v.policy === "kubernetes-edge-route-require-rate-limit").map((v) => v.message),
                ["Ingress api-login has no limit-rps or limit-rpm annotation"],
            );
        });
    });

    describe(`mutations: each weakened setting is caught (${MUTATIONS.length} mutations)`, () => {
        for (const [rule, target, mutate, config] of MUTATIONS) {
            it(`${rule}${target.endsWith("-egress") ? " (with named egress destinations)" : target.endsWith("-frontend") ? " (with the web front end)" : target.endsWith("-digests") ? " (every image by digest)" : ""}`, async () => {
                const original = runs[`production-${target}`].resources.all;
                const baseline = await evaluatePack(original, { ...productionConfig(), ...(config ?? {}) });
                assert.deepStrictEqual(
                    baseline.violations.filter((v) => v.policy === rule),
                    [],
                    "the compliant stack already violates the rule",
                );
                const mutated = clone(original);
                mutate(mutated);
                const res = await evaluatePack(mutated, { ...productionConfig(), ...(config ?? {}) });
                const hits = res.violations.filter((v) => v.policy === rule);
                assert.ok(hits.length > 0, `${rule} did not catch the mutation; got ${res.violations.map((v) => v.policy).join(", ") || "nothing"}`);
                assert.ok(
                    hits.every((h) => h.enforcementLevel === "mandatory" && h.urn),
                    "a mandatory violation with its resource",
                );
            });
        }
    });

    describe("configuration", () => {
        it("config/production.json is the generated production config", () => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const file = require(path.join(repoRoot(), "policies", "config", "production.json"));
            assert.deepStrictEqual(file, productionConfig());
        });

        it("config/development.json is the generated development config: resilience advisory, the rest mandatory, $150 budget", () => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const file = require(path.join(repoRoot(), "policies", "config", "development.json"));
            assert.deepStrictEqual(file, developmentConfig());
            const level = (name: string) => {
                const v = file[name];
                return typeof v === "string" ? v : v?.enforcementLevel;
            };
            assert.strictEqual(level("aws-s3-bucket-require-kms-encryption"), "mandatory");
            assert.strictEqual(level("aws-ec2-securitygroup-restrict-internet-egress"), "mandatory");
            assert.strictEqual(level("kubernetes-core-namespace-require-pod-security-restricted"), "mandatory");
            assert.strictEqual(level("aws-rds-instance-require-multi-az"), undefined);
            assert.strictEqual(level("kubernetes-apps-deployment-require-pdb"), undefined);
            assert.strictEqual((file as Record<string, { monthlyBudget?: number }>)["aws-billing-stack-restrict-monthly-cost"].monthlyBudget, 150);
        });

        it("encryption and least privilege default to mandatory, compliance and resilience to advisory", () => {
            for (const p of buildPolicies()) {
                const rule = allRules.find((r) => r.name === p.name);
                if (!rule) continue;
                assert.strictEqual(p.enforcementLevel, ["encryption", "least-privilege"].includes(rule.category) ? "mandatory" : "advisory", p.name);
            }
        });

        it("configSchema defaults are applied; a config value overrides them", async () => {
            const rule = allRules.find((r) => r.name === "aws-rds-instance-require-backup-retention")!;
            assert.strictEqual(withDefaults(rule, {}).minDays, 7);
            const policy = buildPolicies().find((p) => p.name === rule.name)!;
            assert.strictEqual((policy.configSchema!.properties.minDays as any).default, 7);
            const staging = runs["staging-aws"].resources.all;
            const ok = await evaluatePack(staging);
            assert.strictEqual(ok.violations.filter((v) => v.policy === rule.name).length, 0);
            const strict = await evaluatePack(staging, { [rule.name]: { enforcementLevel: "mandatory", minDays: 14 } });
            assert.ok(strict.mandatory.some((v) => v.policy === rule.name && v.message.includes("7 < 14")));
        });

        it("`all` sets every level; a policy's own entry wins over `all`; disabled policies do not run", async () => {
            const rs = clone(runs["production-aws"].resources.all);
            edit(A.rds, "db-primary", (i) => (i.multiAz = false))(rs);
            const advisory = await evaluatePack(rs, { all: "advisory" });
            assert.ok(advisory.violations.some((v) => v.policy === "aws-rds-instance-require-multi-az") && advisory.mandatory.length === 0);
            const own = await evaluatePack(rs, { all: "advisory", "aws-rds-instance-require-multi-az": "mandatory" });
            assert.deepStrictEqual(
                own.mandatory.map((v) => v.policy),
                ["aws-rds-instance-require-multi-az"],
            );
            const disabled = await evaluatePack(rs, { "aws-rds-instance-require-multi-az": "disabled" });
            assert.ok(!disabled.violations.some((v) => v.policy === "aws-rds-instance-require-multi-az"));
        });

        it("selection by target, framework and severity", () => {
            assert.ok(selectRules(allRules, { targets: ["kubernetes"] }).every((r) => r.target === "kubernetes"));
            const pci = selectRules(allRules, { frameworks: ["PCI-DSS"] });
            assert.ok(pci.length > 10 && pci.every((r) => (r.frameworks["PCI-DSS"] ?? []).length > 0));
            assert.ok(selectRules(allRules, { minSeverity: "critical" }).every((r) => r.severity === "critical"));
            assert.deepStrictEqual(optionsFromEnv({ RAGSTACK_POLICY_TARGETS: "aws", RAGSTACK_POLICY_MIN_SEVERITY: "high" }).targets, ["aws"]);
            assert.throws(
                () => optionsFromEnv({ RAGSTACK_POLICY_MIN_SEVERITY: "urgent" }),
                /RAGSTACK_POLICY_MIN_SEVERITY: got "urgent"; allowed: low, medium, high, critical/,
            );
        });
    });

    describe("exceptions", () => {
        const rule = "aws-rds-instance-require-multi-az";
        const mutated = () => {
            const rs = clone(runs["production-aws"].resources.all);
            edit(A.rds, "db-primary", (i) => (i.multiAz = false))(rs);
            return rs;
        };
        it("a valid exception suppresses the finding and is reported as used", async () => {
            const res = await evaluatePack(mutated(), {
                ...productionConfig(),
                [rule]: {
                    enforcementLevel: "mandatory",
                    exceptions: [{ resource: "*-db-primary", reason: "single-AZ during the migration window", ticket: "SEC-42", expires: "2999-01-01" }],
                },
            });
            assert.deepStrictEqual(res.mandatory, []);
            const report = res.violations.filter((v) => v.policy === EXCEPTIONS_REPORT_POLICY);
            assert.strictEqual(report.length, 1);
            assert.match(report[0].message, /exception used: aws-rds-instance-require-multi-az .*SEC-42/);
            assert.strictEqual(report[0].enforcementLevel, "advisory");
        });
        for (const [what, exception, why] of [
            ["expired", { resource: "*-db-primary", reason: "single-AZ during the migration window", expires: "2020-01-01" }, /expired on 2020-01-01/],
            ["reasonless", { resource: "*-db-primary", reason: "because" }, /reason of at least 10 characters/],
            ["badly dated", { resource: "*-db-primary", reason: "single-AZ during the migration window", expires: "next week" }, /invalid expiry/],
        ] as const) {
            it(`an ${what} exception is rejected and the finding stands`, async () => {
                const res = await evaluatePack(mutated(), { ...productionConfig(), [rule]: { enforcementLevel: "mandatory", exceptions: [exception] } });
                const hits = res.mandatory.filter((v) => v.policy === rule);
                assert.ok(
                    hits.some((v) => why.test(v.message)),
                    "the rejection is reported",
                );
                assert.ok(
                    hits.some((v) => v.message === "primary is single-AZ"),
                    "the finding is not suppressed",
                );
            });
        }
        it("exceptionProblem accepts a well-formed, unexpired exception", () => {
            assert.strictEqual(exceptionProblem({ resource: "x", reason: "a good reason here", expires: "2999-12-31" }), undefined);
        });
    });

    describe("unknown values during preview", () => {
        it("a rule reading an unknown value reports that it could not decide instead of crashing", async () => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const { unknownBooleanValue } = require("@pulumi/policy/proxy");
            const rs = clone(runs["production-aws"].resources.all);
            edit(A.rds, "db-primary", (i) => (i.storageEncrypted = unknownBooleanValue))(rs);
            const res = await evaluate(buildPolicies(), toAnalyzed(rs), productionConfig());
            const undecided = res.undecided.filter((v) => v.policy === "aws-rds-instance-require-storage-encryption");
            assert.strictEqual(undecided.length, 1);
            assert.match(undecided[0].message, /can't run policy .* during preview: .*storageEncrypted/);
            assert.strictEqual(undecided[0].enforcementLevel, "advisory");
            assert.ok(!res.mandatory.some((v) => v.policy === "aws-rds-instance-require-storage-encryption"));
        });
    });
});
