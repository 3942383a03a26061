/**
 * The property judge: where a pulumi-aws input maps to a CloudFormation registry property (the
 * same AWS API field under AWS's name), its value must have the property's type and, where the
 * registry lists them, one of its allowed values; nested objects are followed through their type
 * definitions. Input names map by case (`engineVersion` -> `EngineVersion`) or by RENAMES where
 * the provider names a field differently. The coverage (resource types and properties checked
 * out of those planned) is reported, so that what is not judged is visible.
 */
import { RecordedResource } from "../../testing/mocks";
import { CfnProperty, cfnResource, cfnTypeDef } from "./aws-data";
import { Finding } from "./iam";

/** pulumi-aws resource type -> the CloudFormation type that calls the same API. */
export const CFN_TYPES: Record<string, string> = {
    "aws:acm/certificate:Certificate": "AWS::CertificateManager::Certificate",
    "aws:appautoscaling/policy:Policy": "AWS::ApplicationAutoScaling::ScalingPolicy",
    "aws:appautoscaling/target:Target": "AWS::ApplicationAutoScaling::ScalableTarget",
    "aws:autoscaling/group:Group": "AWS::AutoScaling::AutoScalingGroup",
    "aws:backup/plan:Plan": "AWS::Backup::BackupPlan",
    "aws:backup/vault:Vault": "AWS::Backup::BackupVault",
    "aws:cloudfront/distribution:Distribution": "AWS::CloudFront::Distribution",
    "aws:cloudfront/function:Function": "AWS::CloudFront::Function",
    "aws:cloudfront/originAccessControl:OriginAccessControl": "AWS::CloudFront::OriginAccessControl",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "AWS::CloudFront::ResponseHeadersPolicy",
    "aws:cloudtrail/trail:Trail": "AWS::CloudTrail::Trail",
    "aws:cloudwatch/logDelivery:LogDelivery": "AWS::Logs::Delivery",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": "AWS::Logs::DeliveryDestination",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": "AWS::Logs::DeliverySource",
    "aws:cloudwatch/dashboard:Dashboard": "AWS::CloudWatch::Dashboard",
    "aws:cloudwatch/eventRule:EventRule": "AWS::Events::Rule",
    "aws:cloudwatch/logGroup:LogGroup": "AWS::Logs::LogGroup",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": "AWS::Logs::MetricFilter",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "AWS::CloudWatch::Alarm",
    "aws:ec2/eip:Eip": "AWS::EC2::EIP",
    "aws:ec2/flowLog:FlowLog": "AWS::EC2::FlowLog",
    "aws:ec2/internetGateway:InternetGateway": "AWS::EC2::InternetGateway",
    "aws:ec2/launchTemplate:LaunchTemplate": "AWS::EC2::LaunchTemplate",
    "aws:ec2/natGateway:NatGateway": "AWS::EC2::NatGateway",
    "aws:ec2/route:Route": "AWS::EC2::Route",
    "aws:ec2/routeTable:RouteTable": "AWS::EC2::RouteTable",
    "aws:ec2/securityGroup:SecurityGroup": "AWS::EC2::SecurityGroup",
    "aws:ec2/subnet:Subnet": "AWS::EC2::Subnet",
    "aws:ec2/vpc:Vpc": "AWS::EC2::VPC",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "AWS::EC2::VPCEndpoint",
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": "AWS::ECR::PullThroughCacheRule",
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": "AWS::ECR::RepositoryCreationTemplate",
    "aws:ecs/capacityProvider:CapacityProvider": "AWS::ECS::CapacityProvider",
    "aws:ecs/cluster:Cluster": "AWS::ECS::Cluster",
    "aws:ecs/service:Service": "AWS::ECS::Service",
    "aws:ecs/taskDefinition:TaskDefinition": "AWS::ECS::TaskDefinition",
    "aws:elasticache/replicationGroup:ReplicationGroup": "AWS::ElastiCache::ReplicationGroup",
    "aws:elasticache/subnetGroup:SubnetGroup": "AWS::ElastiCache::SubnetGroup",
    "aws:iam/instanceProfile:InstanceProfile": "AWS::IAM::InstanceProfile",
    "aws:iam/role:Role": "AWS::IAM::Role",
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": "AWS::IAM::ServiceLinkedRole",
    "aws:kms/alias:Alias": "AWS::KMS::Alias",
    "aws:kms/key:Key": "AWS::KMS::Key",
    "aws:lambda/function:Function": "AWS::Lambda::Function",
    "aws:lambda/permission:Permission": "AWS::Lambda::Permission",
    "aws:lb/listener:Listener": "AWS::ElasticLoadBalancingV2::Listener",
    "aws:lb/listenerRule:ListenerRule": "AWS::ElasticLoadBalancingV2::ListenerRule",
    "aws:lb/loadBalancer:LoadBalancer": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "aws:lb/targetGroup:TargetGroup": "AWS::ElasticLoadBalancingV2::TargetGroup",
    "aws:rds/eventSubscription:EventSubscription": "AWS::RDS::EventSubscription",
    "aws:rds/instance:Instance": "AWS::RDS::DBInstance",
    "aws:rds/parameterGroup:ParameterGroup": "AWS::RDS::DBParameterGroup",
    "aws:rds/proxy:Proxy": "AWS::RDS::DBProxy",
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": "AWS::RDS::DBProxyTargetGroup",
    "aws:rds/subnetGroup:SubnetGroup": "AWS::RDS::DBSubnetGroup",
    "aws:route53/record:Record": "AWS::Route53::RecordSet",
    "aws:s3/bucket:Bucket": "AWS::S3::Bucket",
    "aws:secretsmanager/secret:Secret": "AWS::SecretsManager::Secret",
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": "AWS::ServiceDiscovery::PrivateDnsNamespace",
    "aws:servicediscovery/service:Service": "AWS::ServiceDiscovery::Service",
    "aws:sns/topic:Topic": "AWS::SNS::Topic",
    "aws:sns/topicSubscription:TopicSubscription": "AWS::SNS::Subscription",
    "aws:wafv2/webAcl:WebAcl": "AWS::WAFv2::WebACL",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "AWS::WAFv2::WebACLAssociation",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "AWS::WAFv2::LoggingConfiguration",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "AWS::EC2::SecurityGroupEgress",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "AWS::EC2::SecurityGroupIngress",
};

/** Inputs the provider names differently from CloudFormation (same API field), per CloudFormation type. */
const RENAMES: Record<string, Record<string, string>> = {
    "AWS::RDS::DBInstance": {
        instanceClass: "DBInstanceClass",
        identifier: "DBInstanceIdentifier",
        dbName: "DBName",
        username: "MasterUsername",
        parameterGroupName: "DBParameterGroupName",
        dbSubnetGroupName: "DBSubnetGroupName",
        storageEncrypted: "StorageEncrypted",
        kmsKeyId: "KmsKeyId",
        performanceInsightsRetentionPeriod: "PerformanceInsightsRetentionPeriod",
        monitoringInterval: "MonitoringInterval",
        caCertIdentifier: "CACertificateIdentifier",
    },
    "AWS::ElastiCache::ReplicationGroup": { description: "ReplicationGroupDescription", nodeType: "CacheNodeType" },
    "AWS::ElasticLoadBalancingV2::LoadBalancer": { loadBalancerType: "Type" },
    "AWS::CloudWatch::Alarm": { statistic: "Statistic", alarmDescription: "AlarmDescription" },
    "AWS::Logs::LogGroup": { retentionInDays: "RetentionInDays", kmsKeyId: "KmsKeyId" },
    "AWS::Lambda::Function": { runtime: "Runtime", architectures: "Architectures" },
    "AWS::EC2::FlowLog": { trafficType: "TrafficType", logDestinationType: "LogDestinationType" },
    "AWS::EC2::VPCEndpoint": { vpcEndpointType: "VpcEndpointType" },
    "AWS::KMS::Key": { keyUsage: "KeyUsage", customerMasterKeySpec: "KeySpec" },
    "AWS::CloudFront::Distribution": { orderedCacheBehaviors: "CacheBehaviors", webAclId: "WebACLId", isIpv6Enabled: "IPV6Enabled" },
    "AWS::CloudFront::Function": { code: "FunctionCode", publish: "AutoPublish" },
    "AWS::ElasticLoadBalancingV2::ListenerRule": { conditions: "Conditions", actions: "Actions" },
};

/**
 * CloudFormation types whose API fields sit under one configuration property (the provider's
 * inputs are that configuration's fields): the inputs are judged against its type definition.
 */
const CONFIG_PROPERTY: Record<string, string> = {
    "AWS::CloudFront::Distribution": "DistributionConfig",
    "AWS::CloudFront::OriginAccessControl": "OriginAccessControlConfig",
    "AWS::CloudFront::ResponseHeadersPolicy": "ResponseHeadersPolicyConfig",
};

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

interface Coverage {
    typesPlanned: Set<string>;
    typesChecked: Set<string>;
    propertiesPlanned: number;
    propertiesChecked: number;
    enumsChecked: number;
}

/** Checks one value against a registry property type (recursing through type definitions). */
function checkValue(value: unknown, type: CfnProperty["type"], at: string, out: string[], cov: Coverage): void {
    if (value === undefined || value === null) return;
    // The provider takes some structured fields as JSON text (ECS container definitions): judge the structure.
    if (typeof value === "string" && (type.type === "array" || type.type === "ref") && /^[[{]/.test(value.trim())) {
        try {
            value = JSON.parse(value);
        } catch {
            /* a plain string */
        }
    }
    switch (type.type) {
        case "string":
            if (typeof value === "object") out.push(`${at}: a string, got ${JSON.stringify(value).slice(0, 60)}`);
            else if (type.allowedValues) {
                cov.enumsChecked++;
                if (!type.allowedValues.includes(String(value))) out.push(`${at}: "${value}" is not one of ${type.allowedValues.join(", ")}`);
            }
            return;
        case "number":
        case "integer":
            if (typeof value === "object" || Number.isNaN(Number(value))) out.push(`${at}: a number, got ${JSON.stringify(value)}`);
            return;
        case "boolean":
            if (typeof value === "object" || !["true", "false"].includes(String(value))) out.push(`${at}: a boolean, got ${JSON.stringify(value)}`);
            return;
        case "array":
            if (!Array.isArray(value)) return; // the provider flattens some single-element lists
            value.forEach((v, i) => checkValue(v, type.element!, `${at}[${i}]`, out, cov));
            return;
        case "ref": {
            const def = cfnTypeDef(type.reference!.$ref);
            if (!def || typeof value !== "object") return;
            for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
                const prop = def[pascal(k)];
                if (prop) checkValue(v, prop.type, `${at}.${k}`, out, cov);
            }
            return;
        }
        default:
            return;
    }
}

/** The property judge over a plan's resources. */
export function judgeProperties(resources: RecordedResource[], cov?: Coverage): { findings: Finding[]; coverage: Coverage } {
    const coverage: Coverage = cov ?? { typesPlanned: new Set(), typesChecked: new Set(), propertiesPlanned: 0, propertiesChecked: 0, enumsChecked: 0 };
    const findings: Finding[] = [];
    for (const r of resources) {
        if (!r.custom || !r.type.startsWith("aws:")) continue;
        coverage.typesPlanned.add(r.type);
        const cfnType = CFN_TYPES[r.type];
        const top = cfnType ? cfnResource(cfnType) : undefined;
        const wrapper = cfnType ? CONFIG_PROPERTY[cfnType] : undefined;
        const props = top && wrapper ? { ...top, ...cfnTypeDef(top[wrapper].type.reference!.$ref) } : top;
        const inputs = Object.entries(r.inputs).filter(([k]) => k !== "__defaults" && k !== "region");
        coverage.propertiesPlanned += inputs.length;
        if (!props) continue;
        coverage.typesChecked.add(r.type);
        for (const [k, value] of inputs) {
            const name = RENAMES[cfnType]?.[k] ?? pascal(k);
            const prop = props[name];
            if (!prop) continue;
            coverage.propertiesChecked++;
            const problems: string[] = [];
            checkValue(value, prop.type, `${k} (${cfnType}.${name})`, problems, coverage);
            for (const message of problems) findings.push({ judge: "properties", resource: r.name, message });
        }
    }
    return { findings, coverage };
}
