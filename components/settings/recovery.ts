/** Disaster-recovery objectives the plan checks the stack against. */
import { Validator } from "../core/validation";
import { defineTier, StackIdentity } from "./tier";

/**
 * Recovery points kept per tier, the same meaning on both targets: `hourly` points one an hour,
 * `daily` one a day, `weekly` one a week (Sundays), `monthly` one a month (the 1st); each count
 * is also its retention in its unit (daily 30: 30 days). 0 turns a tier off (daily cannot be).
 * AWS: one AWS Backup rule per tier; Kubernetes: one CloudNativePG ScheduledBackup per tier,
 * kept by the object store's recovery window (docs/restore.md, "Backup tiers").
 */
export interface BackupTiers {
    /** Hourly recovery points kept (0: no hourly tier). */
    hourly: number;
    /** Daily recovery points kept (one a day). */
    daily: number;
    /** Weekly recovery points kept (0: no weekly tier). */
    weekly: number;
    /** Monthly recovery points kept (0: no monthly tier). */
    monthly: number;
}

/** The bounds of each tier's count. */
export const BACKUP_TIER_LIMITS: Readonly<Record<keyof BackupTiers, [number, number]>> = {
    hourly: [0, 168],
    daily: [1, 35],
    weekly: [0, 52],
    monthly: [0, 120],
};

/** Days the oldest point of a tier is kept (hourly points: whole days, rounded up; a month: 31 days). */
export function tierRetentionDays(tier: keyof BackupTiers, count: number): number {
    return tier === "hourly" ? Math.ceil(count / 24) : tier === "daily" ? count : tier === "weekly" ? count * 7 : count * 31;
}

/** Days the longest enabled tier reaches back. */
export function longestTierDays(t: BackupTiers): number {
    return Math.max(...(Object.keys(BACKUP_TIER_LIMITS) as (keyof BackupTiers)[]).map((k) => (t[k] > 0 ? tierRetentionDays(k, t[k]) : 0)));
}

/** Each tier a whole count within its bounds; unknown tiers refused. */
export function checkBackupTiers(v: Validator, field: string, value: unknown): void {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        v.fail(field, value, "an object { hourly, daily, weekly, monthly } of recovery points kept per tier");
        return;
    }
    const t = value as Record<string, unknown>;
    for (const k of Object.keys(t)) if (!(k in BACKUP_TIER_LIMITS)) v.fail(`${field}.${k}`, t[k], "one of the tiers hourly, daily, weekly, monthly");
    for (const [k, [min, max]] of Object.entries(BACKUP_TIER_LIMITS)) v.int(`${field}.${k}`, t[k], min, max);
}

/**
 * Disaster-recovery objectives the environment commits to. The offline plan prints them next to
 * what the deployed resources provide per failure scenario, and fails when one is missed.
 */
export interface RecoveryObjectives {
    /** Most data, minutes, a failure inside the site may lose (an instance, a node, a zone, a bad change). @default staging 1440, production 5 */
    rpoMinutes: number;
    /** Longest time, minutes, until the service is back after such a failure. @default staging 1440, production 60 */
    rtoMinutes: number;
    /** Most data, minutes, the loss of the whole region or site may lose; 0: no objective. @default staging 0, production 1440 */
    siteLossRpoMinutes: number;
    /** Longest time, minutes, until the service is back elsewhere after losing the region or site; 0: no objective. @default staging 0, production 480 */
    siteLossRtoMinutes: number;
    /**
     * Recovery points kept per tier (hourly, daily, weekly, monthly), on both targets.
     * @default { hourly: 0, daily: 7, weekly: 0, monthly: 0 } staging; { hourly: 0, daily: 7, weekly: 4, monthly: 12 } production
     */
    backupTiers: BackupTiers;
}

// Production: inside the site no more than 5 minutes of data, back within the hour; after losing
// the region or site no more than a day of data, back within a working day.
export const recoveryTier = defineTier<RecoveryObjectives, StackIdentity & { recovery: RecoveryObjectives }>({
    path: "recovery",
    title: "Recovery objectives",
    settings: {
        rpoMinutes: {
            key: "drRpoMinutes",
            type: "integer",
            description: "Recovery point objective inside the site, minutes.",
            staging: 1440,
            production: 5,
            check: (v, f, x) => v.int(f, x, 0, 525600),
        },
        rtoMinutes: {
            key: "drRtoMinutes",
            type: "integer",
            description: "Recovery time objective inside the site, minutes.",
            staging: 1440,
            production: 60,
            check: (v, f, x) => v.int(f, x, 1, 525600),
        },
        siteLossRpoMinutes: {
            key: "drSiteLossRpoMinutes",
            type: "integer",
            description: "Recovery point objective after losing the region or site, minutes (0: none).",
            staging: 0,
            production: 1440,
            check: (v, f, x) => v.int(f, x, 0, 525600),
        },
        siteLossRtoMinutes: {
            key: "drSiteLossRtoMinutes",
            type: "integer",
            description: "Recovery time objective after losing the region or site, minutes (0: none).",
            staging: 0,
            production: 480,
            check: (v, f, x) => v.int(f, x, 0, 525600),
        },
        backupTiers: {
            key: "backupTiers",
            type: "object",
            description:
                "Recovery points kept per tier, merged over the preset's: {hourly, daily, weekly, monthly} (AWS Backup rules / CloudNativePG ScheduledBackups).",
            staging: { hourly: 0, daily: 7, weekly: 0, monthly: 0 },
            production: { hourly: 0, daily: 7, weekly: 4, monthly: 12 },
            check: checkBackupTiers,
        },
    },
    validate: (v, s) => {
        if (s.recovery.siteLossRpoMinutes > 0 !== s.recovery.siteLossRtoMinutes > 0)
            v.fail("recovery.siteLossRtoMinutes", s.recovery.siteLossRtoMinutes, "both site-loss objectives set (> 0) or both 0 (no objective)");
    },
});
