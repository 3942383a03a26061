import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { Validator } from "../core/validation";
import { accountIdOf, assumeRolePolicy, AwsCommonArgs, AwsContext, managedPolicyArn, partitionOf, serviceKeyPolicy } from "./common";
import { BACKUP_TIER_LIMITS, BackupTiers, defaultsFor, postureFor, tierRetentionDays } from "../settings";

export type { BackupTiers };

/**
 * When each tier's job starts (UTC; each may start up to an hour later). The hourly tier runs at
 * the top of every hour: AWS Backup's shortest schedule is once an hour (shorter needs continuous
 * backup), https://docs.aws.amazon.com/aws-backup/latest/devguide/plan-options-and-configuration.html
 */
export const BACKUP_SCHEDULES = {
    hourly: "cron(0 * ? * * *)",
    daily: "cron(0 5 * * ? *)",
    weekly: "cron(0 6 ? * SUN *)",
    monthly: "cron(0 7 1 * ? *)",
} as const;

/** The tiers in order, shortest first. */
const TIERS = ["hourly", "daily", "weekly", "monthly"] as const;

export interface BackupArgs extends AwsCommonArgs {
    /** ARNs of what is backed up (the RDS primary, the documents bucket). */
    resourceArns: pulumi.Input<string>[];
    /** KMS key of the vault (the stack's data key). */
    kmsKeyArn: pulumi.Input<string>;
    /**
     * Recovery points kept per tier; each count is its retention in its unit (hourly points are
     * kept whole days: AWS Backup's lifecycle counts days). @default the `backupTiers` setting's
     * default: 7 daily in staging; 7 daily, 4 weekly, 12 monthly in production
     */
    tiers?: Partial<BackupTiers>;
    /**
     * Region every recovery point is copied to (a vault there, with its own key), or none.
     * @default none
     */
    copyRegion?: string;
    /** Provider of the copy region (your credentials, assumed role, endpoints). @default a provider for `copyRegion` */
    copyProvider?: aws.Provider;
    /**
     * Vault Lock: recovery points cannot be deleted before their retention ends, by anyone
     * (governance mode: the lock itself can still be removed by a privileged principal;
     * `compliance` makes it immutable after 3 days). @default "governance" in production, "none" in staging
     */
    vaultLock?: "none" | "governance" | "compliance";
}

/**
 * Tiered, off-site backups with AWS Backup: a vault encrypted with the stack's key, a plan with
 * one rule per tier (hourly, daily, weekly, monthly) (each copied to a vault in a second region, encrypted with a
 * key there), a selection of the given resources, a service role with AWS's backup and restore
 * policies, and Vault Lock in production so that no one deletes a recovery point early.
 * Complements RDS automated backups (point-in-time restore) with longer, locked retention.
 */
export class Backup extends pulumi.ComponentResource {
    /** Name of the vault in the stack's region. */
    readonly vaultName: pulumi.Output<string>;
    /** ARN of the vault in the copy region, if any. */
    readonly copyVaultArn: pulumi.Output<string | undefined>;
    /** Id of the backup plan. */
    readonly planId: pulumi.Output<string>;

    constructor(name: string, args: BackupArgs, opts?: pulumi.ComponentResourceOptions) {
        const posture = postureFor(args.environment);
        const d = defaultsFor(args.environment).recovery.backupTiers;
        // A tier left out of `tiers` is off, but daily (which cannot be).
        const tiers: BackupTiers = args.tiers ? { hourly: 0, weekly: 0, monthly: 0, ...args.tiers, daily: args.tiers.daily ?? d.daily } : d;
        const lock = args.vaultLock ?? posture.backupVaultLock;
        const v = new Validator(`Backup ${name}`);
        for (const t of TIERS) v.int(`tiers.${t}`, tiers[t], ...BACKUP_TIER_LIMITS[t]);
        v.oneOf("vaultLock", lock, ["none", "governance", "compliance"] as const);
        if (args.copyRegion !== undefined) v.awsRegion("copyRegion", args.copyRegion);
        if (!Array.isArray(args.resourceArns) || args.resourceArns.length === 0) v.fail("resourceArns", args.resourceArns, "at least one resource ARN");
        v.throwIfAny();
        super(typeToken("aws", "Backup"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);
        const accountId = accountIdOf(args, this);
        const partition = partitionOf(this);
        const enabled = TIERS.filter((t) => tiers[t] > 0);
        const keepDays = (t: (typeof TIERS)[number]) => tierRetentionDays(t, tiers[t]);
        const longest = Math.max(...enabled.map(keepDays));
        const shortest = Math.min(...enabled.map(keepDays));

        const vault = new aws.backup.Vault(
            ctx.childName("vault"),
            { name: ctx.physical("vault"), kmsKeyArn: args.kmsKeyArn, tags: ctx.tags("vault") },
            ctx.dataOpts(),
        );
        const copy = args.copyRegion ? this.createCopyVault(ctx, args, accountId, lock, shortest, longest) : undefined;
        if (lock !== "none") this.lockVault(ctx, "vault-lock", vault.name, lock, shortest, longest, ctx.opts());

        const rule = (ruleName: (typeof TIERS)[number], schedule: string, keepDays: number): aws.types.input.backup.PlanRule => ({
            ruleName,
            targetVaultName: vault.name,
            schedule,
            startWindow: 60,
            // An hourly job must end before the next one is due; the others have the morning.
            completionWindow: ruleName === "hourly" ? 120 : 480,
            lifecycle: { deleteAfter: keepDays },
            recoveryPointTags: ctx.tags(undefined, { BackupTier: ruleName }),
            ...(copy ? { copyActions: [{ destinationVaultArn: copy.arn, lifecycle: { deleteAfter: keepDays } }] } : {}),
        });
        // 05:00–08:00 UTC: after the database's default backup window (02:00–03:00) and clear of
        // its default maintenance window (Sunday 03:30–04:30) and the hour before it, in which
        // AWS Backup starts no database backup (plan-options-and-configuration). A database with
        // other windows: keep them away from BACKUP_SCHEDULES.
        // The hourly tier runs through those windows: AWS Backup skips an RDS snapshot it cannot take then.
        const rules = enabled.map((t) => rule(t, BACKUP_SCHEDULES[t], keepDays(t)));
        const plan = new aws.backup.Plan(ctx.childName("plan"), { name: ctx.physical("plan"), rules, tags: ctx.tags("plan") }, ctx.opts());

        const role = new aws.iam.Role(
            ctx.childName("role"),
            {
                assumeRolePolicy: assumeRolePolicy("backup.amazonaws.com", accountId),
                description: "AWS Backup of the stack's data",
                tags: ctx.tags("backup-role"),
            },
            ctx.opts(),
        );
        // AWS's managed policies for AWS Backup: scoped by AWS to backup and restore actions
        // (their paths differ: AWS_MANAGED_POLICY_PATHS).
        for (const [key, policy] of [
            ["backup", "AWSBackupServiceRolePolicyForBackup"],
            ["restore", "AWSBackupServiceRolePolicyForRestores"],
            ["s3-backup", "AWSBackupServiceRolePolicyForS3Backup"],
            ["s3-restore", "AWSBackupServiceRolePolicyForS3Restore"],
        ] as const)
            new aws.iam.RolePolicyAttachment(ctx.childName(`role-${key}`), { role: role.name, policyArn: managedPolicyArn(partition, policy) }, ctx.opts());
        new aws.backup.Selection(
            ctx.childName("selection"),
            { name: ctx.physical("selection", 50), planId: plan.id, iamRoleArn: role.arn, resources: args.resourceArns },
            ctx.opts(),
        );

        this.vaultName = vault.name;
        this.copyVaultArn = copy ? copy.arn : pulumi.output(undefined);
        this.planId = plan.id;
        this.registerOutputs({ vaultName: this.vaultName, copyVaultArn: this.copyVaultArn, planId: this.planId });
    }

    /** The vault in the copy region, with a key there that only AWS Backup of this account uses. */
    private createCopyVault(
        ctx: AwsContext,
        args: BackupArgs,
        accountId: pulumi.Output<string>,
        lock: string,
        shortest: number,
        longest: number,
    ): aws.backup.Vault {
        const provider = args.copyProvider ?? new aws.Provider(ctx.childName("copy-region"), { region: args.copyRegion }, { parent: this });
        const key = new aws.kms.Key(
            ctx.childName("copy-key"),
            {
                description: `${ctx.prefix} backup copies`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                // RDS copies its snapshots itself (AWS Backup does not fully manage RDS): through RDS there.
                // https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html
                policy: serviceKeyPolicy(accountId, [`backup.${args.copyRegion}.amazonaws.com`, `rds.${args.copyRegion}.amazonaws.com`], partitionOf(this)),
                tags: ctx.tags("backup-copy-key"),
            },
            ctx.dataOpts({ provider }),
        );
        const vault = new aws.backup.Vault(
            ctx.childName("copy-vault"),
            { name: ctx.physical("copy-vault"), kmsKeyArn: key.arn, tags: ctx.tags("copy-vault") },
            ctx.dataOpts({ provider }),
        );
        if (lock !== "none") this.lockVault(ctx, "copy-vault-lock", vault.name, lock, shortest, longest, ctx.opts({ provider }));
        return vault;
    }

    /** Vault Lock: no recovery point deleted before the shortest tier ends; compliance mode becomes immutable after 3 days. */
    private lockVault(
        ctx: AwsContext,
        key: string,
        vaultName: pulumi.Input<string>,
        lock: string,
        shortest: number,
        longest: number,
        opts: pulumi.CustomResourceOptions,
    ): void {
        new aws.backup.VaultLockConfiguration(
            ctx.childName(key),
            {
                backupVaultName: vaultName,
                minRetentionDays: shortest,
                maxRetentionDays: longest * 2,
                ...(lock === "compliance" ? { changeableForDays: 3 } : {}),
            },
            opts,
        );
    }
}
