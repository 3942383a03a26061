/**
 * The AWS rules, one file per service (cdk-nag's layout): each rule's metadata sits next to its
 * check. This index lists them in the order the pack registers them: encryption, least privilege,
 * compliance and resilience.
 */
import { isProduction, Rule } from "../framework";
import * as cloudfront from "./cloudfront";
import * as compute from "./compute";
import * as cost from "./cost";
import * as ecs from "./ecs";
import * as edge from "./edge";
import * as elasticache from "./elasticache";
import * as iam from "./iam";
import * as kms from "./kms";
import * as logging from "./logging";
import * as network from "./network";
import * as protection from "./protection";
import * as rds from "./rds";
import * as readiness from "./readiness";
import * as s3 from "./s3";
import * as secrets from "./secrets";
import * as tagging from "./tagging";

export { AWS_TYPES, RESOURCE_WILDCARD_ONLY_ACTIONS } from "./common";
export { ALLOWED_TLS_POLICIES } from "../../../components/core/facts";

export const awsRules: Rule[] = [
    // encryption
    rds.instanceRequireStorageEncryption,
    rds.instanceRequirePerformanceInsightsKms,
    rds.parametergroupRequireForceSsl,
    rds.instanceRequireTlsParameterGroup,
    rds.proxyRequireTlsAndIamAuth,
    elasticache.replicationgroupRequireAtRestEncryption,
    elasticache.replicationgroupRequireTransitEncryption,
    elasticache.replicationgroupRequireAuthToken,
    s3.bucketRequireKmsEncryption,
    s3.bucketRequireTlsOnlyPolicy,
    compute.launchtemplateRequireEncryptedVolumes,
    compute.instanceRequireEncryptedVolumes,
    compute.volumeRequireEncryption,
    readiness.vaultRequireKms,
    kms.keyEnableRotation,
    kms.keyDisallowPublicPrincipal,
    kms.keyRequireScopedPolicy,
    secrets.secretRequireCmk,
    logging.loggroupRequireKms,
    logging.trailRequireKms,
    logging.topicRequireKms,
    edge.listenerRequireTlsPolicy,
    edge.listenerRequireHttpsRedirect,
    cloudfront.distributionRequireTls,
    // least privilege
    iam.policyDisallowWildcardAction,
    iam.policyDisallowWildcardResource,
    iam.roleDisallowAdminPolicies,
    iam.roleRequireServiceTrust,
    secrets.lambdaPermissionRequireSource,
    network.securitygroupDisallowPublicIngress,
    network.securitygroupRequireRuleDescriptions,
    network.securitygroupRestrictDataTierSources,
    network.securitygroupRestrictInternetEgress,
    network.firewallpolicyRequireDefaultDrop,
    network.firewallRequireLogging,
    network.vpcendpointRequireAccountPolicy,
    ecs.serviceDisallowPublicIp,
    compute.launchtemplateDisallowPublicIp,
    compute.launchtemplateRequireImdsv2,
    compute.instanceRequireImdsv2,
    compute.launchtemplateDisallowSshKey,
    rds.instanceDisallowPublicAccess,
    rds.instanceRequireIamAuth,
    ecs.taskdefinitionDisallowPrivileged,
    ecs.taskdefinitionDisallowHostNamespaces,
    ecs.taskdefinitionDisallowPlainSecrets,
    ecs.taskdefinitionRequireNonRoot,
    ecs.taskdefinitionRequireReadonlyRootfs,
    ecs.taskdefinitionRequireImageDigests,
    ecs.taskdefinitionRequireDefaultImageDigests,
    edge.loadbalancerRequireDropInvalidHeaders,
    cloudfront.distributionRequireOac,
    // compliance and resilience
    rds.instanceRequireBackupRetention,
    rds.instanceRequireDeletionProtection,
    rds.instanceRequireFinalSnapshot,
    rds.instanceRequireMultiAz,
    readiness.instanceRequireCrossRegionBackup,
    readiness.natgatewayRequirePerAz,
    readiness.subnetRequireZoneCount,
    readiness.scalingTargetRequireMinCapacity,
    readiness.groupRequireOnDemandBase,
    readiness.webaclRestrictRateLimit,
    readiness.vaultRequireLock,
    secrets.secretRequireAgeCheck,
    elasticache.replicationgroupRequireAutomaticFailover,
    edge.loadbalancerRequireDeletionProtection,
    edge.loadbalancerRequireAccessLogs,
    edge.loadbalancerRequireWaf,
    cloudfront.distributionRequireWaf,
    cloudfront.distributionRequireLogging,
    network.vpcRequireFlowLogs,
    logging.trailRequireMultiRegionValidation,
    logging.loggroupRequireRetention,
    s3.bucketRequireVersioning,
    s3.bucketRequirePublicAccessBlock,
    s3.bucketRequireAccessLogging,
    s3.bucketRequireObjectLock,
    protection.statefulRequireProtect,
    tagging.resourceRequireTags,
    cost.billingStackRestrictMonthlyCost,
];

/** True for an AWS resource of production (used by reports). */
export const awsIsProduction = isProduction;
