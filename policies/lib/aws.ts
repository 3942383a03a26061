/**
 * AWS rules: encryption, least privilege, compliance and resilience.
 * Resource rules read one resource's inputs; stack rules join resources that the AWS provider v7
 * splits apart (bucket + its configuration resources, ALB + WAF association, VPC + flow log,
 * RDS + parameter group, security group + its rule resources) through property dependencies.
 */
import { isProduction, list, Rule, StackFinding, StackResource, statements } from "./framework";

const T = {
    rds: "aws:rds/instance:Instance",
    rdsParams: "aws:rds/parameterGroup:ParameterGroup",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    sseV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    versioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    lt: "aws:ec2/launchTemplate:LaunchTemplate",
    instance: "aws:ec2/instance:Instance",
    volume: "aws:ebs/volume:Volume",
    kms: "aws:kms/key:Key",
    secret: "aws:secretsmanager/secret:Secret",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    trail: "aws:cloudtrail/trail:Trail",
    listener: "aws:lb/listener:Listener",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    topic: "aws:sns/topic:Topic",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    policy: "aws:iam/policy:Policy",
    role: "aws:iam/role:Role",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    sgIngress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    sgEgress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    ecsService: "aws:ecs/service:Service",
    taskDef: "aws:ecs/taskDefinition:TaskDefinition",
    vpc: "aws:ec2/vpc:Vpc",
    flowLog: "aws:ec2/flowLog:FlowLog",
    wafAssoc: "aws:wafv2/webAclAssociation:WebAclAssociation",
    waf: "aws:wafv2/webAcl:WebAcl",
    wafLogging: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
};
export const AWS_TYPES = T;

/** TLS policies allowed on HTTPS listeners (TLS 1.2+ only). */
export const ALLOWED_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
];

/** Actions with no resource-level permissions: `Resource: "*"` is their only valid form. */
export const RESOURCE_WILDCARD_ONLY_ACTIONS = [
    "ecr:GetAuthorizationToken",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "cloudwatch:PutMetricData",
    "ssmmessages:*",
];

const SECRET_NAME = /PASSWORD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL/i;

function isReplica(props: any): boolean {
    return !!props.replicateSourceDb;
}

function containers(props: any): any[] {
    const defs = typeof props.containerDefinitions === "string" ? safeJson(props.containerDefinitions) : props.containerDefinitions;
    return Array.isArray(defs) ? defs : [];
}

function safeJson(s: string): any {
    try {
        return JSON.parse(s);
    } catch {
        return undefined;
    }
}

/** Resources of a type that point at `target` through property `prop` (or any dependency). */
function referencing(resources: StackResource[], types: string[], prop: string, target: StackResource): StackResource[] {
    return resources.filter(
        (r) =>
            types.includes(r.type) &&
            ((r.propertyDependencies?.[prop] ?? []).some((d) => d.urn === target.urn) ||
                (r.props?.[prop] !== undefined &&
                    (r.props[prop] === target.props?.id || r.props[prop] === target.props?.bucket || r.props[prop] === target.props?.arn))),
    );
}

/** The resource a property of `r` points at, through property dependencies. */
function referenced(resources: StackResource[], r: StackResource, prop: string, types: string[]): StackResource | undefined {
    const urns = (r.propertyDependencies?.[prop] ?? []).map((d) => d.urn);
    return resources.find((x) => types.includes(x.type) && urns.includes(x.urn));
}

const finding = (r: StackResource, message: string): StackFinding => ({ urn: r.urn, name: r.name, message });

export const awsRules: Rule[] = [
    // ---------------------------------------------------------------- encryption
    {
        kind: "resource",
        name: "aws-rds-instance-require-storage-encryption",
        description: "RDS storage must be encrypted with a customer-managed KMS key.",
        severity: "critical",
        category: "encryption",
        target: "aws",
        frameworks: { CIS: ["AWS 2.3.1"], "NIST-800-53": ["SC-28"], "PCI-DSS": ["3.5.1"], "ISO-27001": ["A.8.24"] },
        remediation: "Set storageEncrypted: true and kmsKeyId to a customer-managed key.",
        types: [T.rds],
        check: (p) => (p.storageEncrypted !== true || !p.kmsKeyId ? "RDS storage is not encrypted with a customer-managed KMS key" : undefined),
    },
    {
        kind: "resource",
        name: "aws-rds-instance-require-performance-insights-kms",
        description: "Performance Insights data must be encrypted with a customer-managed KMS key.",
        severity: "high",
        category: "encryption",
        target: "aws",
        frameworks: { "NIST-800-53": ["SC-28"], "ISO-27001": ["A.8.24"] },
        remediation: "Set performanceInsightsKmsKeyId when performanceInsightsEnabled is true.",
        types: [T.rds],
        check: (p) =>
            p.performanceInsightsEnabled === true && !p.performanceInsightsKmsKeyId
                ? "Performance Insights is on without a customer-managed KMS key"
                : undefined,
    },
    {
        kind: "resource",
        name: "aws-rds-parametergroup-require-force-ssl",
        description: "PostgreSQL parameter groups must force TLS (rds.force_ssl = 1).",
        severity: "high",
        category: "encryption",
        target: "aws",
        frameworks: { "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"], "ISO-27001": ["A.8.24"] },
        remediation: "Add the parameter rds.force_ssl = 1.",
        types: [T.rdsParams],
        check: (p) =>
            String(p.family ?? "").startsWith("postgres") && !list(p.parameters).some((x: any) => x.name === "rds.force_ssl" && String(x.value) === "1")
                ? "parameter group does not set rds.force_ssl = 1"
                : undefined,
    },
    {
        kind: "stack",
        name: "aws-rds-instance-require-tls-parameter-group",
        description: "Every PostgreSQL instance must use a parameter group of this stack that forces TLS (not the default group).",
        severity: "high",
        category: "encryption",
        target: "aws",
        frameworks: { "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"] },
        remediation: "Create a parameter group with rds.force_ssl = 1 and set parameterGroupName.",
        check: (resources) =>
            resources
                .filter((r) => r.type === T.rds && String(r.props.engine ?? "postgres").startsWith("postgres"))
                .flatMap((r) => {
                    const pg =
                        referenced(resources, r, "parameterGroupName", [T.rdsParams]) ??
                        resources.find((x) => x.type === T.rdsParams && x.props.name === r.props.parameterGroupName);
                    const forced = pg && list(pg.props.parameters).some((x: any) => x.name === "rds.force_ssl" && String(x.value) === "1");
                    return forced ? [] : [finding(r, "instance does not use a parameter group that forces TLS")];
                }),
    },
    {
        kind: "resource",
        name: "aws-elasticache-replicationgroup-require-at-rest-encryption",
        description: "ElastiCache data at rest must be encrypted with a customer-managed KMS key.",
        severity: "high",
        category: "encryption",
        target: "aws",
        frameworks: { "NIST-800-53": ["SC-28"], "PCI-DSS": ["3.5.1"], "ISO-27001": ["A.8.24"] },
        remediation: "Set atRestEncryptionEnabled: true and kmsKeyId.",
        types: [T.redis],
        check: (p) => (p.atRestEncryptionEnabled !== true || !p.kmsKeyId ? "ElastiCache is not encrypted at rest with a customer-managed key" : undefined),
    },
    {
        kind: "resource",
        name: "aws-elasticache-replicationgroup-require-transit-encryption",
        description: "ElastiCache must require TLS in transit.",
        severity: "high",
        category: "encryption",
        target: "aws",
        frameworks: { "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"], "ISO-27001": ["A.8.24"] },
        remediation: "Set transitEncryptionEnabled: true (transitEncryptionMode: required).",
        types: [T.redis],
        check: (p) =>
            p.transitEncryptionEnabled !== true || (p.transitEncryptionMode !== undefined && p.transitEncryptionMode !== "required")
                ? "ElastiCache does not require encryption in transit"
                : undefined,
    },
    {
        kind: "resource",
        name: "aws-elasticache-replicationgroup-require-auth-token",
        description: "ElastiCache must require an AUTH token.",
        severity: "high",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["IA-2"], "PCI-DSS": ["8.3.1"] },
        remediation: "Set authToken (kept in Secrets Manager) or use RBAC user groups.",
        types: [T.redis],
        check: (p) => (!p.authToken && list(p.userGroupIds).length === 0 ? "ElastiCache accepts unauthenticated clients" : undefined),
    },
    {
        kind: "stack",
        name: "aws-s3-bucket-require-kms-encryption",
        description: "Every bucket must default to SSE-KMS; SSE-S3 only for buckets tagged as ALB access-log buckets (ALB cannot write with KMS).",
        severity: "high",
        category: "encryption",
        target: "aws",
        frameworks: { CIS: ["AWS 2.1.1"], "NIST-800-53": ["SC-28"], "PCI-DSS": ["3.5.1"], "ISO-27001": ["A.8.24"] },
        remediation: "Add a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms and a customer-managed key.",
        check: (resources) =>
            resources
                .filter((r) => r.type === T.bucket || r.type === T.bucketV2)
                .flatMap((b) => {
                    const configs = referencing(resources, [T.sse, T.sseV2], "bucket", b);
                    const rules = configs.flatMap((c) => list(c.props.rules));
                    const algos = rules.map((x: any) => x.applyServerSideEncryptionByDefault?.sseAlgorithm);
                    const kms = rules.some(
                        (x: any) =>
                            String(x.applyServerSideEncryptionByDefault?.sseAlgorithm).startsWith("aws:kms") &&
                            x.applyServerSideEncryptionByDefault?.kmsMasterKeyId,
                    );
                    const albLogs = b.props.tags?.Purpose === "alb-logs" && algos.includes("AES256");
                    return kms || albLogs
                        ? []
                        : [finding(b, configs.length === 0 ? "bucket has no server-side encryption configuration" : "bucket is not encrypted with SSE-KMS")];
                }),
    },
    {
        kind: "stack",
        name: "aws-s3-bucket-require-tls-only-policy",
        description: "Every bucket policy must deny requests without TLS (aws:SecureTransport false).",
        severity: "high",
        category: "encryption",
        target: "aws",
        frameworks: { CIS: ["AWS 2.1.2"], "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"] },
        remediation: "Add a Deny statement on s3:* with Condition Bool aws:SecureTransport = false.",
        check: (resources) =>
            resources
                .filter((r) => r.type === T.bucket || r.type === T.bucketV2)
                .flatMap((b) => {
                    const policies = referencing(resources, [T.bucketPolicy], "bucket", b);
                    const ok = policies.some((p) =>
                        statements(p.props.policy).some((s) => s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false"),
                    );
                    return ok ? [] : [finding(b, "bucket policy does not deny non-TLS requests")];
                }),
    },
    {
        kind: "resource",
        name: "aws-ec2-launchtemplate-require-encrypted-volumes",
        description: "Launch template volumes must be encrypted.",
        severity: "high",
        category: "encryption",
        target: "aws",
        frameworks: { CIS: ["AWS 2.2.1"], "NIST-800-53": ["SC-28"], "PCI-DSS": ["3.5.1"] },
        remediation: "Set blockDeviceMappings[].ebs.encrypted = true with a kmsKeyId.",
        types: [T.lt],
        check: (p) => {
            const maps = list(p.blockDeviceMappings);
            if (maps.length === 0) return "launch template does not declare its root volume (encryption cannot be enforced)";
            return maps.some((m: any) => String(m.ebs?.encrypted) !== "true") ? "a launch template volume is not encrypted" : undefined;
        },
    },
    {
        kind: "resource",
        name: "aws-ec2-instance-require-encrypted-volumes",
        description: "EC2 instance volumes must be encrypted.",
        severity: "high",
        category: "encryption",
        target: "aws",
        frameworks: { CIS: ["AWS 2.2.1"], "NIST-800-53": ["SC-28"] },
        remediation: "Set rootBlockDevice.encrypted and ebsBlockDevices[].encrypted to true.",
        types: [T.instance],
        check: (p) =>
            p.rootBlockDevice?.encrypted !== true || list(p.ebsBlockDevices).some((d: any) => d.encrypted !== true)
                ? "an instance volume is not encrypted"
                : undefined,
    },
    {
        kind: "resource",
        name: "aws-ebs-volume-require-encryption",
        description: "EBS volumes must be encrypted.",
        severity: "high",
        category: "encryption",
        target: "aws",
        frameworks: { CIS: ["AWS 2.2.1"], "NIST-800-53": ["SC-28"] },
        remediation: "Set encrypted: true and kmsKeyId.",
        types: [T.volume],
        check: (p) => (p.encrypted !== true ? "EBS volume is not encrypted" : undefined),
    },
    {
        kind: "resource",
        name: "aws-kms-key-enable-rotation",
        description: "Customer-managed symmetric KMS keys must rotate automatically.",
        severity: "medium",
        category: "encryption",
        target: "aws",
        frameworks: { CIS: ["AWS 3.6"], "NIST-800-53": ["SC-12"], "PCI-DSS": ["3.7.4"] },
        remediation: "Set enableKeyRotation: true.",
        types: [T.kms],
        check: (p) =>
            (p.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT" && p.enableKeyRotation !== true ? "KMS key rotation is off" : undefined,
    },
    {
        kind: "resource",
        name: "aws-kms-key-disallow-public-principal",
        description: "KMS key policies must not allow any principal (`*`) without conditions.",
        severity: "critical",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["AC-3"], "ISO-27001": ["A.5.15"] },
        remediation: "Name the account or service principals in the key policy.",
        types: [T.kms],
        check: (p) =>
            statements(p.policy).some((s) => s.Effect === "Allow" && (s.Principal === "*" || s.Principal?.AWS === "*") && !s.Condition)
                ? "key policy allows any principal"
                : undefined,
    },
    {
        kind: "resource",
        name: "aws-secretsmanager-secret-require-cmk",
        description: "Secrets Manager secrets must be encrypted with a customer-managed KMS key.",
        severity: "medium",
        category: "encryption",
        target: "aws",
        frameworks: { "NIST-800-53": ["SC-28", "SC-12"], "PCI-DSS": ["3.5.1"] },
        remediation: "Set kmsKeyId to a customer-managed key.",
        types: [T.secret],
        check: (p) => (!p.kmsKeyId ? "secret uses the AWS-managed key" : undefined),
    },
    {
        kind: "resource",
        name: "aws-cloudwatch-loggroup-require-kms",
        description: "CloudWatch log groups must be encrypted with a customer-managed KMS key.",
        severity: "medium",
        category: "encryption",
        target: "aws",
        frameworks: { "NIST-800-53": ["AU-9", "SC-28"], "PCI-DSS": ["10.3.2"] },
        remediation: "Set kmsKeyId.",
        types: [T.logGroup],
        check: (p) => (!p.kmsKeyId ? "log group is not encrypted with a customer-managed key" : undefined),
    },
    {
        kind: "resource",
        name: "aws-cloudtrail-trail-require-kms",
        description: "CloudTrail logs must be encrypted with a customer-managed KMS key.",
        severity: "high",
        category: "encryption",
        target: "aws",
        frameworks: { CIS: ["AWS 3.5"], "NIST-800-53": ["AU-9"], "PCI-DSS": ["10.3.2"] },
        remediation: "Set kmsKeyId.",
        types: [T.trail],
        check: (p) => (!p.kmsKeyId ? "trail is not encrypted with KMS" : undefined),
    },
    {
        kind: "resource",
        name: "aws-sns-topic-require-kms",
        description: "SNS topics must be encrypted with KMS.",
        severity: "low",
        category: "encryption",
        target: "aws",
        frameworks: { "NIST-800-53": ["SC-28"] },
        remediation: "Set kmsMasterKeyId.",
        types: [T.topic],
        check: (p) => (!p.kmsMasterKeyId ? "topic is not encrypted" : undefined),
    },
    {
        kind: "resource",
        name: "aws-lb-listener-require-tls-policy",
        description: "HTTPS listeners must use an allowlisted TLS 1.2+ policy; other listeners may only redirect to HTTPS.",
        severity: "high",
        category: "encryption",
        target: "aws",
        frameworks: { "NIST-800-53": ["SC-8", "SC-13"], "PCI-DSS": ["4.2.1"], "ISO-27001": ["A.8.24"] },
        remediation: "Use protocol HTTPS with an allowlisted sslPolicy and a certificate.",
        params: { allowedPolicies: { type: "array", default: ALLOWED_TLS_POLICIES, description: "Allowed ELB security policies." } },
        types: [T.listener],
        check: (p, ctx) => {
            if (p.protocol === "HTTPS" || p.protocol === "TLS")
                return !(ctx.config.allowedPolicies as string[]).includes(p.sslPolicy) || !p.certificateArn
                    ? `listener TLS policy ${p.sslPolicy ?? "(default)"} is not allowed`
                    : undefined;
            return undefined;
        },
    },
    {
        kind: "resource",
        name: "aws-lb-listener-require-https-redirect",
        description: "Plain HTTP listeners must only redirect to HTTPS.",
        severity: "high",
        category: "encryption",
        target: "aws",
        frameworks: { "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"] },
        remediation: "Make the default action a redirect with protocol HTTPS.",
        types: [T.listener],
        check: (p) => {
            if (p.protocol !== "HTTP") return undefined;
            const actions = list(p.defaultActions);
            return actions.length === 0 || actions.some((a: any) => a.type !== "redirect" || a.redirect?.protocol !== "HTTPS")
                ? "HTTP listener serves traffic instead of redirecting to HTTPS"
                : undefined;
        },
    },

    // ---------------------------------------------------------------- least privilege
    {
        kind: "resource",
        name: "aws-iam-policy-disallow-wildcard-action",
        description: "IAM policies must not allow `*` or `<service>:*` actions.",
        severity: "critical",
        category: "least-privilege",
        target: "aws",
        frameworks: { CIS: ["AWS 1.16"], "NIST-800-53": ["AC-6"], "PCI-DSS": ["7.2.1"], "ISO-27001": ["A.8.2"] },
        remediation: "List the exact actions the role needs.",
        types: [T.rolePolicy, T.policy],
        check: (p) =>
            statements(p.policy)
                .filter((s) => s.Effect === "Allow")
                .flatMap((s) => list<string>(s.Action).filter((a) => a === "*" || /^[a-z0-9-]+:\*$/.test(a)))
                .map((a) => `policy allows the wildcard action ${a}`),
    },
    {
        kind: "resource",
        name: "aws-iam-policy-disallow-wildcard-resource",
        description: "IAM policies must not allow actions on `Resource: *`, except actions that have no resource-level permissions.",
        severity: "high",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["AC-6"], "PCI-DSS": ["7.2.1"], "ISO-27001": ["A.8.2"] },
        remediation: "Name the exact ARNs; keep `*` only for actions such as ecr:GetAuthorizationToken.",
        params: { allowedActions: { type: "array", default: RESOURCE_WILDCARD_ONLY_ACTIONS, description: "Actions that may use Resource *." } },
        types: [T.rolePolicy, T.policy],
        check: (p, ctx) =>
            statements(p.policy)
                .filter((s) => s.Effect === "Allow" && list<string>(s.Resource).includes("*"))
                .filter((s) => list<string>(s.Action).some((a) => !(ctx.config.allowedActions as string[]).includes(a)))
                .map((s) => `policy allows ${list(s.Action).join(", ")} on Resource *`),
    },
    {
        kind: "resource",
        name: "aws-iam-role-disallow-admin-policies",
        description: "Roles must not get administrator-level managed policies.",
        severity: "critical",
        category: "least-privilege",
        target: "aws",
        frameworks: { CIS: ["AWS 1.16"], "NIST-800-53": ["AC-6(1)"], "PCI-DSS": ["7.2.2"] },
        remediation: "Attach a policy with only the actions needed.",
        params: {
            deniedPolicies: {
                type: "array",
                default: ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AmazonS3FullAccess", "SecretsManagerReadWrite"],
                description: "Managed policy names that may not be attached.",
            },
        },
        types: [T.attachment, T.role],
        check: (p, ctx) => {
            const arns = [...list<string>(p.policyArn), ...list<string>(p.managedPolicyArns)];
            return arns
                .filter((a) => (ctx.config.deniedPolicies as string[]).some((d) => String(a).endsWith(`/${d}`)))
                .map((a) => `admin-level policy attached: ${a}`);
        },
    },
    {
        kind: "resource",
        name: "aws-iam-role-require-service-trust",
        description: "Role trust policies may only trust the expected AWS service principals.",
        severity: "high",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["AC-3", "AC-6"], "ISO-27001": ["A.5.15"] },
        remediation: "Trust exactly the service that assumes the role (for example ecs-tasks.amazonaws.com).",
        params: {
            allowedServices: {
                type: "array",
                default: [
                    "ecs-tasks.amazonaws.com",
                    "ec2.amazonaws.com",
                    "monitoring.rds.amazonaws.com",
                    "vpc-flow-logs.amazonaws.com",
                    "cloudtrail.amazonaws.com",
                ],
                description: "Service principals roles may trust.",
            },
        },
        types: [T.role],
        check: (p, ctx) =>
            statements(p.assumeRolePolicy)
                .filter((s) => s.Effect === "Allow")
                .flatMap((s) => {
                    const principal = s.Principal ?? {};
                    if (principal === "*" || principal.AWS !== undefined || principal.Federated !== undefined)
                        return [`role trusts a non-service principal: ${JSON.stringify(principal)}`];
                    return list<string>(principal.Service)
                        .filter((svc) => !(ctx.config.allowedServices as string[]).includes(svc))
                        .map((svc) => `role trusts an unexpected service: ${svc}`);
                }),
    },
    {
        kind: "stack",
        name: "aws-ec2-securitygroup-disallow-public-ingress",
        description: "No ingress from 0.0.0.0/0 or ::/0, except 80/443 on security groups tagged as the public ALB's.",
        severity: "critical",
        category: "least-privilege",
        target: "aws",
        frameworks: { CIS: ["AWS 5.2", "AWS 5.3"], "NIST-800-53": ["SC-7"], "PCI-DSS": ["1.3.1"], "ISO-27001": ["A.8.20"] },
        remediation: "Reference the source security group, or restrict the CIDR.",
        check: (resources) => {
            const out: StackFinding[] = [];
            const open = (cidr4?: unknown, cidr6?: unknown) => list(cidr4).includes("0.0.0.0/0") || list(cidr6).includes("::/0");
            const allowed = (sg: StackResource | undefined, from: number, to: number) =>
                sg?.props.tags?.["ragstack:role"] === "public-alb" && ((from === 443 && to === 443) || (from === 80 && to === 80));
            for (const sg of resources.filter((r) => r.type === T.sg))
                for (const rule of list<any>(sg.props.ingress))
                    if (open(rule.cidrBlocks, rule.ipv6CidrBlocks) && !allowed(sg, rule.fromPort, rule.toPort))
                        out.push(finding(sg, `ingress ${rule.fromPort}-${rule.toPort} open to the internet`));
            for (const r of resources.filter((x) => x.type === T.sgIngress || (x.type === T.sgRule && x.props.type === "ingress"))) {
                const sg = referenced(resources, r, "securityGroupId", [T.sg]);
                const cidr4 = r.type === T.sgIngress ? r.props.cidrIpv4 : r.props.cidrBlocks;
                const cidr6 = r.type === T.sgIngress ? r.props.cidrIpv6 : r.props.ipv6CidrBlocks;
                if (open(cidr4, cidr6) && !allowed(sg, r.props.fromPort, r.props.toPort))
                    out.push(finding(r, `ingress ${r.props.fromPort}-${r.props.toPort} open to the internet`));
            }
            return out;
        },
    },
    {
        kind: "stack",
        name: "aws-ec2-securitygroup-require-rule-descriptions",
        description: "Every security group rule must say what it is for.",
        severity: "low",
        category: "compliance",
        target: "aws",
        frameworks: { "NIST-800-53": ["CM-6"], "PCI-DSS": ["1.2.5"] },
        remediation: "Set description on every rule.",
        check: (resources) => {
            const out: StackFinding[] = [];
            for (const sg of resources.filter((r) => r.type === T.sg)) {
                if (!sg.props.description || sg.props.description === "Managed by Pulumi") out.push(finding(sg, "security group has no description"));
                for (const rule of [...list<any>(sg.props.ingress), ...list<any>(sg.props.egress)])
                    if (!rule.description) out.push(finding(sg, "an inline rule has no description"));
            }
            for (const r of resources.filter((x) => [T.sgIngress, T.sgEgress, T.sgRule].includes(x.type)))
                if (!r.props.description) out.push(finding(r, "rule has no description"));
            return out;
        },
    },
    {
        kind: "stack",
        name: "aws-ec2-securitygroup-restrict-data-tier-sources",
        description: "Data-tier security groups (tag ragstack:tier=data) admit only other security groups, never CIDRs.",
        severity: "high",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["SC-7", "AC-4"], "PCI-DSS": ["1.3.1"] },
        remediation: "Use referencedSecurityGroupId of the application tier as the only source.",
        check: (resources) => {
            const out: StackFinding[] = [];
            const dataSgs = resources.filter((r) => r.type === T.sg && r.props.tags?.["ragstack:tier"] === "data");
            for (const sg of dataSgs) {
                for (const rule of list<any>(sg.props.ingress))
                    if (list(rule.cidrBlocks).length > 0 || list(rule.ipv6CidrBlocks).length > 0) out.push(finding(sg, "data tier admits a CIDR"));
                for (const r of referencing(resources, [T.sgIngress, T.sgRule], "securityGroupId", sg)) {
                    if (r.type === T.sgRule && r.props.type !== "ingress") continue;
                    if (r.props.cidrIpv4 || r.props.cidrIpv6 || list(r.props.cidrBlocks).length > 0 || r.props.prefixListId)
                        out.push(finding(r, "data tier admits a CIDR"));
                }
            }
            return out;
        },
    },
    {
        kind: "resource",
        name: "aws-ecs-service-disallow-public-ip",
        description: "ECS tasks must not get public IP addresses.",
        severity: "high",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["SC-7"], "PCI-DSS": ["1.4.1"] },
        remediation: "Set networkConfiguration.assignPublicIp: false and run in private subnets.",
        types: [T.ecsService],
        check: (p) => (p.networkConfiguration?.assignPublicIp === true ? "service assigns public IPs to tasks" : undefined),
    },
    {
        kind: "resource",
        name: "aws-ec2-launchtemplate-disallow-public-ip",
        description: "Instances from launch templates must not get public IPs.",
        severity: "high",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["SC-7"], "PCI-DSS": ["1.4.1"] },
        remediation: "Set networkInterfaces[].associatePublicIpAddress to false.",
        types: [T.lt],
        check: (p) =>
            list(p.networkInterfaces).length === 0 || list(p.networkInterfaces).some((n: any) => String(n.associatePublicIpAddress) !== "false")
                ? "launch template may assign a public IP"
                : undefined,
    },
    {
        kind: "resource",
        name: "aws-ec2-launchtemplate-require-imdsv2",
        description: "Instance metadata must require IMDSv2 tokens with a hop limit that keeps containers out.",
        severity: "high",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["AC-3", "SC-7"] },
        remediation: "Set metadataOptions.httpTokens: required and httpPutResponseHopLimit: 1.",
        params: { maxHopLimit: { type: "integer", default: 1, description: "Highest allowed PUT response hop limit." } },
        types: [T.lt],
        check: (p, ctx) =>
            p.metadataOptions?.httpTokens !== "required" || Number(p.metadataOptions?.httpPutResponseHopLimit ?? 2) > ctx.config.maxHopLimit
                ? "launch template does not require IMDSv2 with a hop limit of 1"
                : undefined,
    },
    {
        kind: "resource",
        name: "aws-ec2-instance-require-imdsv2",
        description: "EC2 instances must require IMDSv2 tokens.",
        severity: "high",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["AC-3"] },
        remediation: "Set metadataOptions.httpTokens: required.",
        types: [T.instance],
        check: (p) => (p.metadataOptions?.httpTokens !== "required" ? "instance does not require IMDSv2" : undefined),
    },
    {
        kind: "resource",
        name: "aws-ec2-launchtemplate-disallow-ssh-key",
        description: "GPU and container hosts are reached through SSM, not SSH keys.",
        severity: "medium",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["AC-17"], "PCI-DSS": ["8.2.2"] },
        remediation: "Remove keyName; use SSM Session Manager.",
        types: [T.lt, T.instance],
        check: (p) => (p.keyName ? "an SSH key pair is attached" : undefined),
    },
    {
        kind: "resource",
        name: "aws-rds-instance-disallow-public-access",
        description: "RDS instances must not be publicly accessible.",
        severity: "critical",
        category: "least-privilege",
        target: "aws",
        frameworks: { CIS: ["AWS 2.3.3"], "NIST-800-53": ["SC-7"], "PCI-DSS": ["1.4.1"] },
        remediation: "Set publiclyAccessible: false and use isolated subnets.",
        types: [T.rds],
        check: (p) => (p.publiclyAccessible === true ? "instance is publicly accessible" : undefined),
    },
    {
        kind: "resource",
        name: "aws-rds-instance-require-iam-auth",
        description: "RDS instances should enable IAM database authentication.",
        severity: "medium",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["IA-2"] },
        remediation: "Set iamDatabaseAuthenticationEnabled: true.",
        types: [T.rds],
        check: (p) => (p.iamDatabaseAuthenticationEnabled !== true ? "IAM database authentication is off" : undefined),
    },
    {
        kind: "resource",
        name: "aws-ecs-taskdefinition-disallow-privileged",
        description: "ECS containers must not run privileged.",
        severity: "critical",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["AC-6"], "PCI-DSS": ["2.2.5"] },
        remediation: "Remove privileged: true.",
        types: [T.taskDef],
        check: (p) =>
            containers(p)
                .filter((c) => c.privileged === true)
                .map((c) => `container ${c.name} is privileged`),
    },
    {
        kind: "resource",
        name: "aws-ecs-taskdefinition-disallow-host-namespaces",
        description: "ECS tasks must not share the host's PID, IPC or network namespace.",
        severity: "high",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["SC-39"] },
        remediation: "Remove pidMode/ipcMode host and use networkMode awsvpc.",
        types: [T.taskDef],
        check: (p) => (p.pidMode === "host" || p.ipcMode === "host" || p.networkMode === "host" ? "task shares a host namespace" : undefined),
    },
    {
        kind: "resource",
        name: "aws-ecs-taskdefinition-disallow-plain-secrets",
        description: "Secrets must be injected from Secrets Manager or SSM, never as plain environment values.",
        severity: "critical",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["IA-5(7)", "SC-28"], "PCI-DSS": ["8.3.2"] },
        remediation: "Move the value to Secrets Manager and reference it under `secrets`.",
        types: [T.taskDef],
        check: (p) =>
            containers(p).flatMap((c) =>
                list<any>(c.environment)
                    .filter((e) => SECRET_NAME.test(e.name ?? ""))
                    .map((e) => `container ${c.name} has ${e.name} in plain environment`),
            ),
    },
    {
        kind: "resource",
        name: "aws-ecs-taskdefinition-require-non-root",
        description:
            "Essential containers must run as a non-root user; a non-essential setup container may run as root only with every capability dropped but CHOWN.",
        severity: "high",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["AC-6"] },
        remediation: "Set user to a non-zero UID.",
        types: [T.taskDef],
        check: (p) =>
            containers(p)
                .filter((c) => {
                    const root = !c.user || /^(0|root)(:|$)/.test(String(c.user));
                    if (!root) return false;
                    const caps = c.linuxParameters?.capabilities;
                    const narrowSetup = c.essential === false && list(caps?.drop).includes("ALL") && list(caps?.add).every((a: string) => a === "CHOWN");
                    return !narrowSetup;
                })
                .map((c) => `container ${c.name} runs as root`),
    },
    {
        kind: "resource",
        name: "aws-lb-loadbalancer-require-drop-invalid-headers",
        description: "Application load balancers must drop invalid HTTP headers.",
        severity: "medium",
        category: "least-privilege",
        target: "aws",
        frameworks: { "NIST-800-53": ["SI-10"] },
        remediation: "Set dropInvalidHeaderFields: true.",
        types: [T.alb],
        check: (p) =>
            (p.loadBalancerType ?? "application") === "application" && p.dropInvalidHeaderFields !== true ? "ALB does not drop invalid headers" : undefined,
    },

    // ---------------------------------------------------------------- compliance and resilience
    {
        kind: "resource",
        name: "aws-rds-instance-require-backup-retention",
        description: "RDS automated backups must be kept at least the configured days.",
        severity: "high",
        category: "resilience",
        target: "aws",
        frameworks: { "NIST-800-53": ["CP-9"], "ISO-27001": ["A.8.13"] },
        remediation: "Raise backupRetentionPeriod.",
        params: { minDays: { type: "integer", default: 7, description: "Minimum backup retention days." } },
        types: [T.rds],
        check: (p, ctx) =>
            !isReplica(p) && Number(p.backupRetentionPeriod ?? 0) < ctx.config.minDays
                ? `backup retention ${p.backupRetentionPeriod ?? 0} < ${ctx.config.minDays} days`
                : undefined,
    },
    {
        kind: "resource",
        name: "aws-rds-instance-require-deletion-protection",
        description: "Production databases must have deletion protection.",
        severity: "high",
        category: "resilience",
        target: "aws",
        productionOnly: true,
        frameworks: { "NIST-800-53": ["CP-9", "SI-12"] },
        remediation: "Set deletionProtection: true.",
        types: [T.rds],
        check: (p) => (p.deletionProtection !== true ? "deletion protection is off" : undefined),
    },
    {
        kind: "resource",
        name: "aws-rds-instance-require-final-snapshot",
        description: "Production primaries must take a final snapshot on deletion.",
        severity: "high",
        category: "resilience",
        target: "aws",
        productionOnly: true,
        frameworks: { "NIST-800-53": ["CP-9"] },
        remediation: "Set skipFinalSnapshot: false and finalSnapshotIdentifier.",
        types: [T.rds],
        check: (p) => (!isReplica(p) && (p.skipFinalSnapshot !== false || !p.finalSnapshotIdentifier) ? "no final snapshot on deletion" : undefined),
    },
    {
        kind: "resource",
        name: "aws-rds-instance-require-multi-az",
        description: "Production primaries must be Multi-AZ.",
        severity: "high",
        category: "resilience",
        target: "aws",
        productionOnly: true,
        frameworks: { "NIST-800-53": ["CP-10", "SC-36"] },
        remediation: "Set multiAz: true.",
        types: [T.rds],
        check: (p) => (!isReplica(p) && p.multiAz !== true ? "primary is single-AZ" : undefined),
    },
    {
        kind: "resource",
        name: "aws-elasticache-replicationgroup-require-automatic-failover",
        description: "Production caches must have replicas with automatic failover across AZs.",
        severity: "medium",
        category: "resilience",
        target: "aws",
        productionOnly: true,
        frameworks: { "NIST-800-53": ["CP-10"] },
        remediation: "Set automaticFailoverEnabled, multiAzEnabled and numCacheClusters >= 2.",
        types: [T.redis],
        check: (p) =>
            p.automaticFailoverEnabled !== true || p.multiAzEnabled !== true || Number(p.numCacheClusters ?? 1) < 2
                ? "cache has no automatic failover to a replica in another AZ"
                : undefined,
    },
    {
        kind: "resource",
        name: "aws-lb-loadbalancer-require-deletion-protection",
        description: "Production load balancers must have deletion protection.",
        severity: "medium",
        category: "resilience",
        target: "aws",
        productionOnly: true,
        frameworks: { "NIST-800-53": ["CP-10"] },
        remediation: "Set enableDeletionProtection: true.",
        types: [T.alb],
        check: (p) => (p.enableDeletionProtection !== true ? "deletion protection is off" : undefined),
    },
    {
        kind: "resource",
        name: "aws-lb-loadbalancer-require-access-logs",
        description: "Load balancers must write access logs.",
        severity: "medium",
        category: "compliance",
        target: "aws",
        frameworks: { "NIST-800-53": ["AU-2", "AU-12"], "PCI-DSS": ["10.2.1"] },
        remediation: "Enable accessLogs to an S3 bucket.",
        types: [T.alb],
        check: (p) => (p.accessLogs?.enabled !== true || !p.accessLogs?.bucket ? "access logs are off" : undefined),
    },
    {
        kind: "stack",
        name: "aws-lb-loadbalancer-require-waf",
        description: "Every internet-facing ALB must have a WAFv2 web ACL that logs.",
        severity: "high",
        category: "compliance",
        target: "aws",
        frameworks: { "NIST-800-53": ["SC-7", "SI-4"], "PCI-DSS": ["6.4.2"] },
        remediation: "Associate a WebAcl (WebAclAssociation) and add a WebAclLoggingConfiguration.",
        check: (resources) =>
            resources
                .filter((r) => r.type === T.alb && r.props.internal !== true && (r.props.loadBalancerType ?? "application") === "application")
                .flatMap((alb) => {
                    const assoc = referencing(resources, [T.wafAssoc], "resourceArn", alb);
                    if (assoc.length === 0) return [finding(alb, "no WAF web ACL is associated")];
                    const acls = assoc.map((a) => referenced(resources, a, "webAclArn", [T.waf])).filter((x): x is StackResource => !!x);
                    const logged = acls.some((acl) => referencing(resources, [T.wafLogging], "resourceArn", acl).length > 0);
                    return logged ? [] : [finding(alb, "the associated web ACL does not log")];
                }),
    },
    {
        kind: "stack",
        name: "aws-ec2-vpc-require-flow-logs",
        description: "Every VPC must have flow logs for ALL traffic.",
        severity: "medium",
        category: "compliance",
        target: "aws",
        frameworks: { CIS: ["AWS 3.7"], "NIST-800-53": ["AU-12", "SI-4"], "PCI-DSS": ["10.2.1"] },
        remediation: "Add an aws.ec2.FlowLog with trafficType ALL.",
        check: (resources) =>
            resources
                .filter((r) => r.type === T.vpc)
                .flatMap((vpc) =>
                    referencing(resources, [T.flowLog], "vpcId", vpc).some((f) => f.props.trafficType === "ALL")
                        ? []
                        : [finding(vpc, "VPC has no flow log for ALL traffic")],
                ),
    },
    {
        kind: "resource",
        name: "aws-cloudtrail-trail-require-multi-region-validation",
        description: "Trails must be multi-region with log-file validation.",
        severity: "high",
        category: "compliance",
        target: "aws",
        frameworks: { CIS: ["AWS 3.1", "AWS 3.2"], "NIST-800-53": ["AU-9", "AU-12"], "PCI-DSS": ["10.3.4"] },
        remediation: "Set isMultiRegionTrail and enableLogFileValidation to true.",
        types: [T.trail],
        check: (p) => (p.isMultiRegionTrail !== true || p.enableLogFileValidation !== true ? "trail is not multi-region with log-file validation" : undefined),
    },
    {
        kind: "resource",
        name: "aws-cloudwatch-loggroup-require-retention",
        description: "Log groups must keep logs at least the configured days.",
        severity: "medium",
        category: "compliance",
        target: "aws",
        frameworks: { "NIST-800-53": ["AU-11"], "PCI-DSS": ["10.5.1"] },
        remediation: "Set retentionInDays.",
        params: { minDays: { type: "integer", default: 30, description: "Minimum retention days." } },
        types: [T.logGroup],
        check: (p, ctx) => {
            const days = Number(p.retentionInDays ?? 0);
            return days !== 0 && days < ctx.config.minDays ? `retention ${days} < ${ctx.config.minDays} days` : days === 0 ? "no retention set" : undefined;
        },
    },
    {
        kind: "stack",
        name: "aws-s3-bucket-require-versioning",
        description: "Buckets must have versioning enabled.",
        severity: "medium",
        category: "resilience",
        target: "aws",
        frameworks: { "NIST-800-53": ["CP-9"], "ISO-27001": ["A.8.13"] },
        remediation: "Add a BucketVersioning with status Enabled.",
        check: (resources) =>
            resources
                .filter((r) => r.type === T.bucket || r.type === T.bucketV2)
                .flatMap((b) =>
                    referencing(resources, [T.versioning, T.versioningV2], "bucket", b).some((v) => v.props.versioningConfiguration?.status === "Enabled")
                        ? []
                        : [finding(b, "versioning is not enabled")],
                ),
    },
    {
        kind: "stack",
        name: "aws-s3-bucket-require-public-access-block",
        description: "Buckets must block every form of public access.",
        severity: "critical",
        category: "least-privilege",
        target: "aws",
        frameworks: { CIS: ["AWS 2.1.4"], "NIST-800-53": ["AC-3", "SC-7"], "PCI-DSS": ["1.4.1"] },
        remediation: "Add a BucketPublicAccessBlock with all four settings true.",
        check: (resources) =>
            resources
                .filter((r) => r.type === T.bucket || r.type === T.bucketV2)
                .flatMap((b) =>
                    referencing(resources, [T.pab], "bucket", b).some((p) =>
                        ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => p.props[k] === true),
                    )
                        ? []
                        : [finding(b, "public access is not fully blocked")],
                ),
    },
    {
        kind: "resource",
        name: "aws-all-resource-require-tags",
        description: "Taggable resources must carry the ownership, environment and classification tags.",
        severity: "low",
        category: "compliance",
        target: "aws",
        frameworks: { "NIST-800-53": ["CM-8"], "ISO-27001": ["A.5.9"] },
        remediation: "Tag with Owner, Environment and DataClassification (the library does this for you).",
        params: {
            requiredTags: { type: "array", default: ["Owner", "Environment", "DataClassification"], description: "Tags every taggable resource needs." },
        },
        types: [T.rds, T.redis, T.bucket, T.kms, T.secret, T.logGroup, T.alb, T.lt, T.ecsService, T.taskDef, T.vpc, T.sg, T.trail, T.topic, T.role, T.waf],
        check: (p, ctx) => {
            const tags = p.tags ?? {};
            const missing = (ctx.config.requiredTags as string[]).filter((t) => !tags[t]);
            return missing.length > 0 ? `missing tags: ${missing.join(", ")}` : undefined;
        },
    },
];

/** True for an AWS resource of production (used by reports). */
export const awsIsProduction = isProduction;
