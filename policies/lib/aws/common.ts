/** What the AWS rules share: the type tokens they check and helpers over props and stack resources. */
import { StackFinding, StackResource } from "../framework";

export const T = {
    rds: "aws:rds/instance:Instance",
    rdsParams: "aws:rds/parameterGroup:ParameterGroup",
    rdsProxy: "aws:rds/proxy:Proxy",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    sseV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    versioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    bucketLogging: "aws:s3/bucketLogging:BucketLogging",
    bucketLoggingV2: "aws:s3/bucketLoggingV2:BucketLoggingV2",
    objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    objectLockV2: "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
    cache: "aws:elasticache/replicationGroup:ReplicationGroup",
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
    route: "aws:ec2/route:Route",
    routeTable: "aws:ec2/routeTable:RouteTable",
    routeAssoc: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    subnet: "aws:ec2/subnet:Subnet",
    firewall: "aws:networkfirewall/firewall:Firewall",
    firewallPolicy: "aws:networkfirewall/firewallPolicy:FirewallPolicy",
    firewallLogging: "aws:networkfirewall/loggingConfiguration:LoggingConfiguration",
    distribution: "aws:cloudfront/distribution:Distribution",
    logDeliverySource: "aws:cloudwatch/logDeliverySource:LogDeliverySource",
    logDelivery: "aws:cloudwatch/logDelivery:LogDelivery",
};
/** The Pulumi type tokens the AWS rules check. */
export const AWS_TYPES = T;

/** Actions with no resource-level permissions: `Resource: "*"` is their only valid form. */
export const RESOURCE_WILDCARD_ONLY_ACTIONS = [
    "ecr:GetAuthorizationToken",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "cloudwatch:PutMetricData",
    "ssmmessages:*",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
    // ECS's blue/green infrastructure role reads the listeners, rules and target groups (ApiService).
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
];

export const SECRET_NAME = /PASSWORD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL/i;

export function isReplica(props: any): boolean {
    return !!props.replicateSourceDb;
}

export function containers(props: any): any[] {
    const defs = typeof props.containerDefinitions === "string" ? safeJson(props.containerDefinitions) : props.containerDefinitions;
    return Array.isArray(defs) ? defs : [];
}

export function safeJson(s: string): any {
    try {
        return JSON.parse(s);
    } catch {
        return undefined;
    }
}

/** Resources of a type that point at `target` through property `prop` (or any dependency). */
export function referencing(resources: StackResource[], types: string[], prop: string, target: StackResource): StackResource[] {
    return resources.filter(
        (r) =>
            types.includes(r.type) &&
            ((r.propertyDependencies?.[prop] ?? []).some((d) => d.urn === target.urn) ||
                (r.props?.[prop] !== undefined &&
                    (r.props[prop] === target.props?.id || r.props[prop] === target.props?.bucket || r.props[prop] === target.props?.arn))),
    );
}

/** The resource a property of `r` points at, through property dependencies. */
export function referenced(resources: StackResource[], r: StackResource, prop: string, types: string[]): StackResource | undefined {
    const urns = (r.propertyDependencies?.[prop] ?? []).map((d) => d.urn);
    return resources.find((x) => types.includes(x.type) && urns.includes(x.urn));
}

export const finding = (r: StackResource, message: string): StackFinding => ({ urn: r.urn, name: r.name, message });
