/**
 * What an environment fixes without a config key: the stricter behaviour production gets where a
 * component has an argument but the stack has no setting. Stated here once, per environment, so
 * that no component carries a `production ? … : …` of its own; a component's argument (or, where
 * there is one, the setting) overrides it.
 */
import { EnvironmentName } from "../core/types";

export interface EnvironmentPosture {
    /** Days a deleted Secrets Manager secret can still be restored. */
    secretRecoveryWindowDays: number;
    /** Object Lock of the CloudTrail bucket. */
    trailObjectLock: { mode: "GOVERNANCE" | "COMPLIANCE"; days: number } | "none";
    /** AWS Backup Vault Lock. */
    backupVaultLock: "governance" | "compliance" | "none";
    /** On-Demand GPU instances kept under Spot capacity (with `llmSpot`). */
    llmOnDemandBaseCapacity: number;
    /** Share of the LLM tasks ECS keeps running during a deployment, percent. */
    llmDeploymentMinimumHealthyPercent: number;
    /** The ALB refuses deletion. */
    loadBalancerDeletionProtection: boolean;
    /** CloudTrail records data events on the documents bucket. */
    documentsDataEvents: boolean;
    /** Pods of one workload must spread over zones (DoNotSchedule) rather than should (ScheduleAnyway). */
    strictZoneSpread: boolean;
    /** Replicas of PostgreSQL and of the LLM must run on different nodes (required) rather than should (preferred). */
    requiredAntiAffinity: boolean;
    /** ElastiCache applies changes in its maintenance window instead of at once. */
    deferCacheChanges: boolean;
}

const STAGING: EnvironmentPosture = {
    secretRecoveryWindowDays: 7,
    trailObjectLock: "none",
    backupVaultLock: "none",
    llmOnDemandBaseCapacity: 0,
    llmDeploymentMinimumHealthyPercent: 0,
    loadBalancerDeletionProtection: false,
    documentsDataEvents: false,
    strictZoneSpread: false,
    requiredAntiAffinity: false,
    deferCacheChanges: false,
};

const POSTURE: Readonly<Record<EnvironmentName, EnvironmentPosture>> = {
    // Development behaves as staging where no key says otherwise: its savings are in the settings
    // (sizes, zones, endpoints), not in weaker protection.
    development: STAGING,
    staging: STAGING,
    production: {
        secretRecoveryWindowDays: 30,
        // CloudTrail logs are kept a year at least (the audit rules), locked for as long.
        trailObjectLock: { mode: "GOVERNANCE", days: 365 },
        backupVaultLock: "governance",
        llmOnDemandBaseCapacity: 1,
        llmDeploymentMinimumHealthyPercent: 50,
        loadBalancerDeletionProtection: true,
        documentsDataEvents: true,
        strictZoneSpread: true,
        requiredAntiAffinity: true,
        deferCacheChanges: true,
    },
};

/** The posture of an environment (staging when unset). */
export function postureFor(environment: EnvironmentName | undefined): EnvironmentPosture {
    return POSTURE[environment ?? "staging"];
}
