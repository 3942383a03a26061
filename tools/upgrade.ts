/**
 * The upgrade rule, shared by test/upgrade.test.ts (both targets under the mocks) and the engine
 * check's upgrade step (Kubernetes under the real engine): going from the previous release
 * (tools/previous-release.ts) to the current code on the same stack files must not replace or
 * delete a stateful resource, unless CHANGELOG.md's [Unreleased] "Changed (breaking)" section has
 * an entry that names it and says how it moves (an alias or a migration note). Every other change
 * is listed.
 *
 * Stateful, and what replaces it:
 * - AWS: the types below with the inputs whose change replaces the resource, taken from AWS's
 *   CloudFormation registry schemas (`createOnlyProperties`, `causesReplacement: "yes"` in
 *   @aws-cdk/aws-service-spec), mapped to the Pulumi inputs of @pulumi/aws; test/upgrade.test.ts
 *   checks every pair against both. A changed URN (name, type or parent without an alias) is a
 *   delete and a create whatever the inputs.
 * - Kubernetes: CloudNativePG clusters and databases, persistent volume claims, StatefulSets with
 *   volume claim templates (the in-cluster object store's and Valkey's disks), Secrets holding
 *   generated credentials (a Secret that depends on a `random:` resource), namespaces, and the
 *   generated credentials themselves; the fields whose change makes the Kubernetes provider replace
 *   an object are its own list (pulumi-kubernetes provider/pkg/provider/diff.go,
 *   `forceNewProperties`: metadata name and namespace everywhere, a Secret's type and data, a
 *   PVC's access modes, selector, storage class and volume name, a StatefulSet's pod management
 *   policy, revision history limit, selector, service name and volume claim templates). Under the
 *   real engine the provider's own diff decides (the step's preview).
 */
import * as fs from "fs";
import * as path from "path";

/** A resource as both sides report it (the mocks' RecordedResource, or a state entry). */
export interface UpgradeResource {
    /** The URN the engine gives it. */
    urn: string;
    type: string;
    inputs: Record<string, unknown>;
    dependencies: string[];
    /** URNs this resource answers to as well (resolved `aliases`). */
    aliases: string[];
}

export interface StatefulRule {
    /** What it is, for messages. */
    what: string;
    /** Input paths (dotted) whose change replaces the resource. */
    replaceOn: string[];
    /** The source of `replaceOn`. */
    source: string;
    /** Only resources this returns true for are stateful (default: every resource of the type). */
    when?: (r: UpgradeResource) => boolean;
}

/**
 * AWS stateful types: Pulumi input -> CloudFormation property (createOnly) of the CFN type. The
 * Pulumi inputs without a CloudFormation counterpart (SourceRegion, DBSystemId, ...) are left out.
 */
export const AWS_STATEFUL: Record<string, { what: string; cfn: string; replaceOn: Record<string, string> }> = {
    "aws:rds/instance:Instance": {
        what: "RDS DB instance",
        cfn: "AWS::RDS::DBInstance",
        replaceOn: {
            identifier: "DBInstanceIdentifier",
            dbName: "DBName",
            username: "MasterUsername",
            kmsKeyId: "KmsKeyId",
            storageEncrypted: "StorageEncrypted",
            dbSubnetGroupName: "DBSubnetGroupName",
            port: "Port",
            characterSetName: "CharacterSetName",
            ncharCharacterSetName: "NcharCharacterSetName",
            timezone: "Timezone",
            customIamInstanceProfile: "CustomIAMInstanceProfile",
            backupTarget: "BackupTarget",
        },
    },
    "aws:rds/cluster:Cluster": {
        what: "RDS DB cluster",
        cfn: "AWS::RDS::DBCluster",
        replaceOn: {
            clusterIdentifier: "DBClusterIdentifier",
            databaseName: "DatabaseName",
            kmsKeyId: "KmsKeyId",
            storageEncrypted: "StorageEncrypted",
            dbSubnetGroupName: "DBSubnetGroupName",
            engineMode: "EngineMode",
            availabilityZones: "AvailabilityZones",
            snapshotIdentifier: "SnapshotIdentifier",
            sourceRegion: "SourceRegion",
            clusterScalabilityType: "ClusterScalabilityType",
            dbSystemId: "DBSystemId",
            "restoreToPointInTime.restoreToTime": "RestoreToTime",
            "restoreToPointInTime.restoreType": "RestoreType",
            "restoreToPointInTime.useLatestRestorableTime": "UseLatestRestorableTime",
            "restoreToPointInTime.sourceClusterIdentifier": "SourceDBClusterIdentifier",
        },
    },
    "aws:rds/proxy:Proxy": {
        what: "RDS proxy",
        cfn: "AWS::RDS::DBProxy",
        replaceOn: {
            name: "DBProxyName",
            engineFamily: "EngineFamily",
            vpcSubnetIds: "VpcSubnetIds",
            endpointNetworkType: "EndpointNetworkType",
            targetConnectionNetworkType: "TargetConnectionNetworkType",
        },
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        what: "ElastiCache replication group",
        cfn: "AWS::ElastiCache::ReplicationGroup",
        replaceOn: {
            replicationGroupId: "ReplicationGroupId",
            atRestEncryptionEnabled: "AtRestEncryptionEnabled",
            subnetGroupName: "CacheSubnetGroupName",
            dataTieringEnabled: "DataTieringEnabled",
            engine: "Engine",
            globalReplicationGroupId: "GlobalReplicationGroupId",
            kmsKeyId: "KmsKeyId",
            networkType: "NetworkType",
            port: "Port",
            preferredCacheClusterAzs: "PreferredCacheClusterAZs",
            replicasPerNodeGroup: "ReplicasPerNodeGroup",
            snapshotArns: "SnapshotArns",
            snapshotName: "SnapshotName",
        },
    },
    "aws:s3/bucket:Bucket": {
        what: "S3 bucket",
        cfn: "AWS::S3::Bucket",
        replaceOn: { bucket: "BucketName", bucketPrefix: "BucketNamePrefix", bucketNamespace: "BucketNamespace", objectLockEnabled: "ObjectLockEnabled" },
    },
    // AWS::KMS::Key has no createOnly property: a key is replaced only by a changed URN.
    "aws:kms/key:Key": { what: "KMS key", cfn: "AWS::KMS::Key", replaceOn: {} },
    "aws:secretsmanager/secret:Secret": { what: "Secrets Manager secret", cfn: "AWS::SecretsManager::Secret", replaceOn: { name: "Name" } },
    "aws:backup/vault:Vault": { what: "Backup vault", cfn: "AWS::Backup::BackupVault", replaceOn: { name: "BackupVaultName", kmsKeyArn: "EncryptionKeyArn" } },
};

/**
 * createOnly properties of those CloudFormation types that no input of the Pulumi resource sets
 * (@pulumi/aws 7.48's Args): nothing to compare. test/upgrade.test.ts checks that the two lists
 * cover every createOnly property of the schema.
 */
export const AWS_CREATE_ONLY_WITHOUT_INPUT: Record<string, string[]> = {
    "AWS::RDS::DBInstance": ["SourceRegion", "DBSystemId", "DBClusterIdentifier"],
    "AWS::RDS::DBCluster": ["PubliclyAccessible", "SourceDbClusterResourceId"],
};

/** The metadata fields whose change replaces any Kubernetes object (pulumi-kubernetes diff.go, metadataForceNewProperties). */
const K8S_IDENTITY = ["metadata.name", "metadata.namespace"];
const K8S_SOURCE = "pulumi-kubernetes provider/pkg/provider/diff.go (forceNewProperties)";
/** Generated values (the random provider replaces them on any input change). */
const RANDOM_SOURCE = "the random provider: every input replaces";
// A dependency's URN ends its type chain with the random provider's type (`...$random:index/...::name`).
const dependsOnGenerated = (r: UpgradeResource) => r.dependencies.some((d) => /(::|\$)random:/.test(d));

export const K8S_STATEFUL: Record<string, StatefulRule> = {
    "kubernetes:postgresql.cnpg.io/v1:Cluster": { what: "CloudNativePG cluster", replaceOn: K8S_IDENTITY, source: K8S_SOURCE },
    // A CNPG Database with reclaim policy delete drops the database with the object.
    "kubernetes:postgresql.cnpg.io/v1:Database": { what: "CloudNativePG database", replaceOn: K8S_IDENTITY, source: K8S_SOURCE },
    "kubernetes:core/v1:PersistentVolumeClaim": {
        what: "persistent volume claim",
        replaceOn: [...K8S_IDENTITY, "spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"],
        source: K8S_SOURCE,
    },
    "kubernetes:apps/v1:StatefulSet": {
        what: "StatefulSet with volume claim templates",
        replaceOn: [...K8S_IDENTITY, "spec.podManagementPolicy", "spec.revisionHistoryLimit", "spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"],
        source: K8S_SOURCE,
        when: (r) => Array.isArray((r.inputs.spec as { volumeClaimTemplates?: unknown[] } | undefined)?.volumeClaimTemplates),
    },
    // Secret data is left out here: under the mocks a generated value is a placeholder. The engine sees it.
    "kubernetes:core/v1:Secret": {
        what: "Secret holding generated credentials",
        replaceOn: [...K8S_IDENTITY, "type"],
        source: K8S_SOURCE,
        when: dependsOnGenerated,
    },
    "kubernetes:core/v1:Namespace": { what: "namespace", replaceOn: ["metadata.name"], source: K8S_SOURCE },
};

/** Generated credentials, on both targets. */
export const GENERATED_STATEFUL: Record<string, StatefulRule> = {
    "random:index/randomPassword:RandomPassword": { what: "generated password", replaceOn: ["*"], source: RANDOM_SOURCE },
    "random:index/randomString:RandomString": { what: "generated string (an access key)", replaceOn: ["*"], source: RANDOM_SOURCE },
};

/** The rule for a resource, or undefined when it holds no state. */
export function statefulRule(r: UpgradeResource): StatefulRule | undefined {
    const aws = AWS_STATEFUL[r.type];
    if (aws) return { what: aws.what, replaceOn: Object.keys(aws.replaceOn), source: `CloudFormation ${aws.cfn} createOnlyProperties` };
    const rule = K8S_STATEFUL[r.type] ?? GENERATED_STATEFUL[r.type];
    if (!rule || (rule.when && !rule.when(r))) return undefined;
    return rule;
}

/** The URN's type (the last type of the parent chain) and name. */
export function urnName(urn: string): string {
    return urn.split("::").pop()!;
}

function at(o: unknown, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), o);
}

/** JSON with sorted keys (input values compared regardless of key order). */
function stable(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
    if (v && typeof v === "object")
        return `{${Object.keys(v)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
            .join(",")}}`;
    return JSON.stringify(v) ?? "undefined";
}

export type UpgradeOp = "create" | "delete" | "replace" | "update" | "alias";

export interface UpgradeChange {
    op: UpgradeOp;
    /** The previous URN (the current one for create). */
    urn: string;
    type: string;
    /** For stateful resources, what it is. */
    stateful?: string;
    /** What changed (inputs, the new URN of an alias). */
    detail: string;
    /** The CHANGELOG entry that declares it (stateful replace/delete only). */
    entry?: string;
}

export interface UpgradeReport {
    /** Replace or delete of stateful resources, declared or not. */
    breaking: UpgradeChange[];
    /** The breaking ones without a CHANGELOG entry: the check fails on these. */
    undeclared: UpgradeChange[];
    /** Everything else. */
    other: UpgradeChange[];
}

/**
 * The bullet entries of the "Changed (breaking)" sections (### headings starting so) of
 * CHANGELOG.md's [Unreleased].
 */
export function breakingEntries(changelog: string): string[] {
    const start = changelog.search(/(^|\n)## \[Unreleased\]/);
    if (start < 0) return [];
    const next = changelog.indexOf("\n## ", start + 5);
    const unreleased = changelog.slice(start, next < 0 ? undefined : next);
    const entries: string[] = [];
    for (const section of unreleased.split(/\n### /).slice(1)) {
        if (!/^Changed \(breaking/i.test(section)) continue;
        for (const item of section.split(/\n- /).slice(1)) entries.push(item.replace(/\n\s+/g, " ").trim());
    }
    return entries;
}

/**
 * The entry that declares a breaking change of `name`: it names the resource (its URN name, in
 * backticks) and says how it moves (an alias or a migration note). Undefined without one.
 */
export function declaringEntry(entries: string[], name: string): string | undefined {
    return entries.find((e) => e.includes(`\`${name}\``) && /\balias|\bmigrat/i.test(e));
}

/** Compares the previous release's resources with the current code's (same stack, same stack files). */
export function compareResources(previous: UpgradeResource[], current: UpgradeResource[], changelog: string): UpgradeReport {
    const entries = breakingEntries(changelog);
    const byUrn = new Map(current.map((r) => [r.urn, r]));
    const byAlias = new Map<string, UpgradeResource>();
    for (const r of current) for (const a of r.aliases) byAlias.set(a, r);
    const matched = new Set<string>();
    const breaking: UpgradeChange[] = [];
    const other: UpgradeChange[] = [];
    for (const old of previous) {
        const rule = statefulRule(old);
        const cur = byUrn.get(old.urn) ?? byAlias.get(old.urn);
        if (!cur) {
            const c: UpgradeChange = { op: "delete", urn: old.urn, type: old.type, detail: "no resource with this URN or an alias to it" };
            if (rule) breaking.push({ ...c, stateful: rule.what, entry: declaringEntry(entries, urnName(old.urn)) });
            else other.push(c);
            continue;
        }
        matched.add(cur.urn);
        if (cur.urn !== old.urn) other.push({ op: "alias", urn: old.urn, type: old.type, stateful: rule?.what, detail: `now ${cur.urn} (aliased)` });
        const changed = Object.keys({ ...old.inputs, ...cur.inputs })
            .filter((k) => stable(old.inputs[k]) !== stable(cur.inputs[k]))
            .sort();
        if (changed.length === 0) continue;
        if (!rule) {
            other.push({ op: "update", urn: old.urn, type: old.type, detail: changed.join(", ") });
            continue;
        }
        const replacing = rule.replaceOn.includes("*") ? changed : rule.replaceOn.filter((p) => stable(at(old.inputs, p)) !== stable(at(cur.inputs, p)));
        if (replacing.length > 0)
            breaking.push({
                op: "replace",
                urn: old.urn,
                type: old.type,
                stateful: rule.what,
                detail: replacing.map((p) => `${p}: ${stable(at(old.inputs, p)).slice(0, 80)} -> ${stable(at(cur.inputs, p)).slice(0, 80)}`).join("; "),
                entry: declaringEntry(entries, urnName(old.urn)),
            });
        else other.push({ op: "update", urn: old.urn, type: old.type, stateful: rule.what, detail: `in place: ${changed.join(", ")}` });
    }
    for (const r of current) if (!matched.has(r.urn)) other.push({ op: "create", urn: r.urn, type: r.type, stateful: statefulRule(r)?.what, detail: "new" });
    return { breaking, undeclared: breaking.filter((b) => !b.entry), other };
}

/** The report as lines: the breaking changes first (with their entry or "UNDECLARED"), then every other change. */
export function formatReport(title: string, r: UpgradeReport): string {
    const lines = [`${title}: ${r.breaking.length} stateful replace/delete (${r.undeclared.length} undeclared), ${r.other.length} other changes`];
    for (const b of r.breaking)
        lines.push(
            `  ${b.op.toUpperCase()} ${b.stateful}: ${b.urn}\n      ${b.detail}\n      ${b.entry ? `declared: CHANGELOG "Changed (breaking)": ${b.entry.slice(0, 160)}` : 'UNDECLARED: no CHANGELOG "Changed (breaking)" entry names it with an alias or migration note'}`,
        );
    const counts = new Map<string, number>();
    for (const o of r.other) counts.set(o.op, (counts.get(o.op) ?? 0) + 1);
    if (r.other.length) lines.push(`  other: ${[...counts].map(([op, n]) => `${n} ${op}`).join(", ")}`);
    for (const o of r.other) lines.push(`    ${o.op} ${o.stateful ? `(${o.stateful}) ` : ""}${urnName(o.urn)} [${o.type}]: ${o.detail}`);
    return lines.join("\n");
}

/**
 * CHANGELOG.md of a checkout; with `since` (the previous release's version), only what changed
 * after it: [Unreleased] and every later version's section, as one [Unreleased] (on a release
 * commit, `npm version` has moved the entries from [Unreleased] into the version's section).
 */
export function readChangelog(root: string, since?: string): string {
    const text = fs.readFileSync(path.join(root, "CHANGELOG.md"), "utf8");
    return since === undefined ? text : changesSince(text, since);
}

/** [Unreleased] and the sections of versions newer than `version`, as one [Unreleased] section. */
export function changesSince(changelog: string, version: string): string {
    const bodies: string[] = [];
    for (const section of changelog.split(/\n(?=## \[)/)) {
        const m = /^## \[([^\]]+)\]/.exec(section);
        const eol = section.indexOf("\n");
        if (m && eol >= 0 && (m[1] === "Unreleased" || newerVersion(m[1], version))) bodies.push(section.slice(eol + 1));
    }
    return `## [Unreleased]\n${bodies.join("\n")}`;
}

/** Whether semantic version `a` (x.y.z) is newer than `b`. */
function newerVersion(a: string, b: string): boolean {
    const [x, y] = [a, b].map((v) => v.split(/[.-]/).slice(0, 3).map(Number));
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
    return false;
}

/**
 * Keys a team must add to its stack file when upgrading: the keys the current repository's stack
 * file has and the previous release's lacks, each applied only when a "Changed (breaking)" entry
 * names it (in backticks) with a migration note. The value is the repository's own. The current
 * code runs on the previous stack file plus these; anything else it refuses fails the check.
 */
export function stackFileMigration(
    previous: Record<string, string>,
    current: Record<string, string>,
    changelog: string,
): { set: Record<string, string>; entries: string[] } {
    const entries = breakingEntries(changelog);
    const set: Record<string, string> = {};
    const used = new Set<string>();
    for (const [k, v] of Object.entries(current)) {
        if (k in previous) continue;
        const entry = declaringEntry(entries, k.split(":").pop()!);
        if (!entry) continue;
        set[k] = v;
        used.add(entry);
    }
    return { set, entries: [...used] };
}
