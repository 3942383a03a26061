/**
 * Disaster recovery, offline: what a stack's resources let you recover, per failure scenario, in
 * recovery point (data lost) and recovery time (until the service is back), compared with the
 * objectives its environment states. Pure functions over the resources a plan records (the same
 * records for this repository's program and for any other), so the figures follow what is
 * deployed, not what a setting says.
 *
 * The figures are planning figures, documented with their basis in docs/restore.md: RDS uploads
 * transaction logs every 5 minutes and fails over Multi-AZ in 1–2 minutes; CloudNativePG archives
 * WAL at least every 5 minutes (`archive_timeout`) and promotes a standby in about a minute.
 */
import { RecoveryObjectives } from "../components/settings/recovery";

/** One failure and what the stack recovers from it; null figures: it cannot recover. */
export interface RecoveryScenario {
    /** What fails. */
    name: RecoveryScenarioName;
    /** Data lost, minutes (0: none); null: not recoverable with what is deployed. */
    rpoMinutes: number | null;
    /** Until the service is back, minutes; null: not recoverable. */
    rtoMinutes: number | null;
    /** How it recovers (which resource does it). */
    basis: string;
    /** The objective for this scenario (null: the environment states none). */
    objective: { rpoMinutes: number; rtoMinutes: number } | null;
    /** True when it meets the objective (or there is none). */
    meets: boolean;
}

export const RECOVERY_SCENARIOS = ["instance or node failure", "zone failure", "bad change or deleted data", "region or site loss"] as const;
export type RecoveryScenarioName = (typeof RECOVERY_SCENARIOS)[number];

export interface RecoveryReport {
    /** The engine the figures are for. */
    database: "rds" | "cloudnative-pg";
    /** What is deployed that recovery relies on. */
    provides: {
        /** How often recovery points are made. */
        backupFrequency: string;
        /** Days a point-in-time restore reaches back (0: none). */
        pointInTimeDays: number;
        /** Standby or replica instances next to the primary. */
        replicas: number;
        /** Synchronous standby (no acknowledged write lost when the primary fails). */
        synchronousStandby: boolean;
        /** Copies outside the region or site. */
        offsite: string[];
        /**
         * Recovery points per backup tier as deployed: AWS Backup's rules (AWS), CloudNativePG's
         * ScheduledBackups kept by the object store's window (Kubernetes); the hourly tier on
         * Kubernetes is the WAL archive.
         */
        tiers: { tier: string; keptDays: number; basis: string }[];
        /** Days the oldest restorable point reaches back (point in time or a tier's recovery point). */
        oldestPointDays: number;
        /** What holds no data and is rebuilt rather than restored (the web front end: from CI's build artefacts). */
        rebuilt: string[];
    };
    objectives: RecoveryObjectives | null;
    scenarios: RecoveryScenario[];
    /** Scenarios that miss their objective; they fail the plan. */
    problems: string[];
}

/** The fields of a recorded resource this model reads. */
export interface RecoveryResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

/** The inputs this model reads, by resource. */
interface RdsInputs {
    backupRetentionPeriod?: number;
    multiAz?: boolean;
    replicateSourceDb?: string;
}
interface CnpgSpec {
    instances?: number;
    postgresql?: { synchronous?: { number?: number; dataDurability?: string } };
    plugins?: { isWALArchiver?: boolean }[];
    affinity?: { topologyKey?: string };
}
interface ObjectStoreInputs {
    spec?: { retentionPolicy?: string };
}
interface PlanRuleInputs {
    ruleName?: string;
    schedule?: string;
    lifecycle?: { deleteAfter?: number };
    copyActions?: unknown[];
}
interface CronJobInputs {
    spec?: { jobTemplate?: { spec?: { template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } } } } };
}

const RDS = "aws:rds/instance:Instance";
const CNPG = "kubernetes:postgresql.cnpg.io/v1:Cluster";

type Figures = Omit<RecoveryScenario, "objective" | "meets">;

/** What the RDS resources of a stack recover. */
function rdsFigures(resources: RecoveryResource[], primary: RecoveryResource): { provides: Omit<RecoveryReport["provides"], "rebuilt">; scenarios: Figures[] } {
    const p = primary.inputs as RdsInputs;
    const retention = Number(p.backupRetentionPeriod ?? 0);
    const multiAz = p.multiAz === true;
    const replicas = resources.filter((r) => r.type === RDS && (r.inputs as RdsInputs).replicateSourceDb).length;
    const backupReplication = resources.some((r) => r.type === "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication");
    const bucketReplicas = resources.filter((r) => r.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig").length;
    const backupCopies = resources.some(
        (r) => r.type === "aws:backup/plan:Plan" && ((r.inputs.rules ?? []) as { copyActions?: unknown[] }[]).some((x) => (x.copyActions ?? []).length > 0),
    );
    const offsite = [
        ...(backupReplication ? ["RDS automated backups and transaction logs replicated to another region"] : []),
        ...(backupCopies ? ["AWS Backup copies in another region"] : []),
        ...(bucketReplicas > 0 ? [`${bucketReplicas} bucket(s) replicated to another region`] : []),
    ];
    const rules = resources
        .filter((r) => r.type === "aws:backup/plan:Plan")
        .flatMap((r) => (r.inputs.rules ?? []) as PlanRuleInputs[])
        .filter((x) => x.ruleName && x.lifecycle?.deleteAfter);
    const tiers = rules.map((x) => ({
        tier: x.ruleName!,
        keptDays: Number(x.lifecycle!.deleteAfter),
        basis: `AWS Backup rule ${x.schedule ?? ""}${(x.copyActions ?? []).length > 0 ? ", copied to the backup region" : ""}`.trim(),
    }));
    const oldest = Math.max(retention, ...tiers.map((t) => t.keptDays));
    const pitr: Figures | null =
        retention > 0
            ? {
                  name: "bad change or deleted data",
                  rpoMinutes: 5,
                  rtoMinutes: 60,
                  basis:
                      `point-in-time restore (${retention} days) into a new instance, then switch over` +
                      (oldest > retention ? `; older: the AWS Backup tiers' recovery points (up to ${oldest} days)` : ""),
              }
            : null;
    const failover = (name: RecoveryScenarioName): Figures =>
        multiAz
            ? { name, rpoMinutes: 0, rtoMinutes: 2, basis: "Multi-AZ: the synchronous standby in another zone takes over (60–120 s)" }
            : pitr
              ? { ...pitr, name, basis: "no standby: point-in-time restore into a new instance" }
              : { name, rpoMinutes: null, rtoMinutes: null, basis: "no standby and no backups" };
    const site: Figures = backupReplication
        ? {
              name: "region or site loss",
              rpoMinutes: 15,
              rtoMinutes: 240,
              basis: "restore the replicated backups in the backup region and deploy the stack there",
          }
        : backupCopies
          ? { name: "region or site loss", rpoMinutes: 1440, rtoMinutes: 240, basis: "restore the daily AWS Backup copy in the backup region" }
          : { name: "region or site loss", rpoMinutes: null, rtoMinutes: null, basis: "no copy outside the region" };
    return {
        provides: {
            backupFrequency:
                (retention > 0 ? "transaction logs every 5 min, daily snapshots" : "none") +
                (tiers.length > 0 ? `; AWS Backup tiers: ${tiers.map((t) => `${t.tier} (kept ${t.keptDays} d)`).join(", ")}` : ""),
            pointInTimeDays: retention,
            replicas: replicas + (multiAz ? 1 : 0),
            synchronousStandby: multiAz,
            offsite,
            tiers,
            oldestPointDays: oldest,
        },
        scenarios: [
            failover("instance or node failure"),
            failover("zone failure"),
            pitr ?? { name: "bad change or deleted data", rpoMinutes: null, rtoMinutes: null, basis: "no automated backups" },
            site,
        ],
    };
}

/** What the CloudNativePG resources of a stack recover. */
function cnpgFigures(
    resources: RecoveryResource[],
    cluster: RecoveryResource,
): { provides: Omit<RecoveryReport["provides"], "rebuilt">; scenarios: Figures[] } {
    const spec = (cluster.inputs.spec ?? {}) as CnpgSpec;
    const instances = Number(spec.instances ?? 1);
    const sync = spec.postgresql?.synchronous;
    const synchronous = !!sync && Number(sync.number ?? 0) > 0 && (sync.dataDurability ?? "required") === "required";
    const archive = (spec.plugins ?? []).some((p) => p.isWALArchiver === true);
    const store = resources.find((r) => r.type === "kubernetes:barmancloud.cnpg.io/v1:ObjectStore");
    const days = Number(/^(\d+)d$/.exec(String((store?.inputs as ObjectStoreInputs | undefined)?.spec?.retentionPolicy ?? ""))?.[1] ?? 0);
    const dumps = resources.find((r) => r.type === "kubernetes:batch/v1:CronJob" && (r.inputs.metadata as { name?: string } | undefined)?.name === "pg-dump");
    const dumpEnv = (dumps?.inputs as CronJobInputs | undefined)?.spec?.jobTemplate?.spec?.template?.spec?.containers?.[0]?.env ?? [];
    const offsiteDumps = dumpEnv.some((e) => e.name === "OFFSITE_ENDPOINT" && !!e.value);
    const zoneSpread = spec.affinity?.topologyKey === "topology.kubernetes.io/zone";
    const scheduled = resources
        .filter((r) => r.type === "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup")
        .map((r) => r.inputs as { metadata?: { name?: string; labels?: Record<string, string> }; spec?: { schedule?: string } });
    // Barman keeps one window: every base backup, whatever its tier, is kept that long.
    const tiers = [
        ...(archive && days > 0 ? [{ tier: "hourly", keptDays: days, basis: "the WAL archive: any point of the window, not only hourly ones" }] : []),
        ...scheduled.map((b) => ({
            tier: b.metadata?.labels?.["ragstack.io/backup-tier"] ?? b.metadata?.name ?? "base backup",
            keptDays: days,
            basis: `CloudNativePG ScheduledBackup ${b.spec?.schedule ?? ""}, kept by the object store's ${days}-day window`.replace("  ", " "),
        })),
    ];
    const documentsOffsite = resources.some(
        (r) => r.type === "kubernetes:batch/v1:CronJob" && (r.inputs.metadata as { name?: string } | undefined)?.name === "documents-offsite",
    );
    const pitr: Figures | null = archive
        ? {
              name: "bad change or deleted data",
              rpoMinutes: 5,
              rtoMinutes: 60,
              basis: `recovery bootstrap from the WAL archive (${days} days) into a new cluster, then switch over`,
          }
        : dumps
          ? { name: "bad change or deleted data", rpoMinutes: 1440, rtoMinutes: 120, basis: "restore the last daily logical dump" }
          : null;
    const standby: Figures | null =
        instances > 1
            ? {
                  name: "instance or node failure",
                  rpoMinutes: synchronous ? 0 : 1,
                  rtoMinutes: 1,
                  basis: synchronous
                      ? "a synchronous standby is promoted (no acknowledged write lost)"
                      : "an asynchronous standby is promoted (writes of the last seconds may be lost)",
              }
            : null;
    const fromArchive = (name: RecoveryScenarioName, why: string): Figures =>
        pitr ? { ...pitr, name, basis: `${why}: ${pitr.basis}` } : { name, rpoMinutes: null, rtoMinutes: null, basis: `${why}, and no backups` };
    return {
        provides: {
            backupFrequency: archive
                ? "WAL archived at least every 5 min" +
                  (scheduled.length > 0
                      ? `, base backups: ${tiers
                            .filter((t) => t.tier !== "hourly")
                            .map((t) => t.tier)
                            .join(", ")}`
                      : "") +
                  (dumps ? ", daily logical dumps" : "")
                : dumps
                  ? "daily logical dumps"
                  : "none",
            pointInTimeDays: archive ? days : 0,
            replicas: instances - 1,
            synchronousStandby: instances > 1 && synchronous,
            offsite: [
                ...(offsiteDumps ? ["daily logical dumps copied to an off-site object store"] : []),
                ...(documentsOffsite ? ["documents bucket copied daily to the off-site object store"] : []),
            ],
            tiers,
            oldestPointDays: archive ? days : 0,
        },
        scenarios: [
            standby ?? fromArchive("instance or node failure", "a single instance"),
            standby && zoneSpread
                ? { ...standby, name: "zone failure" }
                : fromArchive("zone failure", standby ? "instances are spread over nodes, not zones (all may be in the failed zone)" : "a single instance"),
            pitr ?? { name: "bad change or deleted data", rpoMinutes: null, rtoMinutes: null, basis: "no WAL archive and no dumps" },
            offsiteDumps
                ? {
                      name: "region or site loss",
                      rpoMinutes: 1440,
                      rtoMinutes: 240,
                      basis:
                          "restore the latest off-site logical dump into a new cluster" +
                          (documentsOffsite ? ", and the documents from their off-site copy" : "; the documents have no off-site copy"),
                  }
                : { name: "region or site loss", rpoMinutes: null, rtoMinutes: null, basis: "no copy outside the site" },
        ],
    };
}

/**
 * The web front end holds no data: its static files are CI's build artefacts, redeployed by
 * `pulumi up` (AWS: uploaded from frontendSource) or pulled as its image (Kubernetes). No backup.
 */
function rebuiltParts(resources: RecoveryResource[]): string[] {
    const cdn = resources.some((r) => r.type === "aws:cloudfront/distribution:Distribution");
    const k8s = resources.some(
        (r) => r.type === "kubernetes:apps/v1:Deployment" && (r.inputs as { metadata?: { name?: string } }).metadata?.name === "frontend",
    );
    return [
        ...(cdn ? ["web front end (bucket behind CloudFront): redeployed from CI's build artefacts by pulumi up (frontendSource), no backup"] : []),
        ...(k8s ? ["web front end (static server): its image from the registry (frontendImage), no backup"] : []),
    ];
}

/** Whether a figure (null: not recoverable) is within an objective. */
function within(figure: number | null, objective: number): boolean {
    return figure !== null && figure <= objective;
}

const minutes = (m: number | null) => (m === null ? "not recoverable" : m === 0 ? "none" : m >= 60 && m % 60 === 0 ? `${m / 60} h` : `${m} min`);

/**
 * The recovery report of a stack's resources against its objectives (null objectives: figures
 * only, nothing fails); null when the stack has no database this model knows.
 */
export function recoveryReport(resources: RecoveryResource[], objectives: RecoveryObjectives | null): RecoveryReport | null {
    const primary = resources.find((r) => r.type === RDS && !(r.inputs as RdsInputs).replicateSourceDb);
    const cluster = resources.find((r) => r.type === CNPG);
    const figures = primary ? rdsFigures(resources, primary) : cluster ? cnpgFigures(resources, cluster) : null;
    if (!figures) return null;
    const scenarios: RecoveryScenario[] = figures.scenarios.map((f) => {
        const objective = !objectives
            ? null
            : f.name === "region or site loss"
              ? objectives.siteLossRpoMinutes > 0 && objectives.siteLossRtoMinutes > 0
                  ? { rpoMinutes: objectives.siteLossRpoMinutes, rtoMinutes: objectives.siteLossRtoMinutes }
                  : null
              : { rpoMinutes: objectives.rpoMinutes, rtoMinutes: objectives.rtoMinutes };
        const meets = !objective || (within(f.rpoMinutes, objective.rpoMinutes) && within(f.rtoMinutes, objective.rtoMinutes));
        return { ...f, objective, meets };
    });
    const problems = scenarios
        .filter((s) => !s.meets)
        .map(
            (s) =>
                `${s.name}: the stack provides RPO ${minutes(s.rpoMinutes)} / RTO ${minutes(s.rtoMinutes)} (${s.basis}); the objective is RPO ${minutes(s.objective!.rpoMinutes)} / RTO ${minutes(s.objective!.rtoMinutes)}`,
        );
    return {
        database: primary ? "rds" : "cloudnative-pg",
        provides: { ...figures.provides, rebuilt: rebuiltParts(resources) },
        objectives,
        scenarios,
        problems,
    };
}

/** A figure for people: "5 min", "4 h", "not recoverable". */
export const formatMinutes = minutes;
