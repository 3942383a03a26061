/**
 * In-process mocks harness shared by the tests and the offline plan.
 *
 * It installs `pulumi.runtime.setMocks`, then wraps the mock monitor so that every registered
 * resource is recorded with what the real engine would see: type, name, URN, parent, custom or
 * component, inputs (secrets marked), dependencies, property dependencies, protect/retainOnDelete,
 * aliases and ignoreChanges. Mocked provider functions return plausible, documented values.
 */
import * as pulumi from "@pulumi/pulumi";
import { partitionOfRegion } from "../components/core/aws-catalog";

/** Account, region and AZs the mocks pretend to be in. Documented in docs/offline-plan.md. */
export const MOCK_ACCOUNT_ID = "123456789012";
export const MOCK_AZ_SUFFIXES = ["a", "b", "c"];
export const MOCK_GPU_AMI = "ami-0abcdef1234567890";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** One resource as registered with the (mock) engine. */
export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    /** URN of the parent, if any. */
    parent?: string;
    /** True for custom (provider) resources, false for components. */
    custom: boolean;
    /** Inputs as the provider would get them; secret values are plain here (see `secretPaths`). */
    inputs: Record<string, unknown>;
    /** Outputs the mock provider returned (inputs plus computed values such as ids, ARNs and endpoints). */
    state: Record<string, unknown>;
    /** The id the mock provider gave a custom resource (undefined for components). */
    id?: string;
    /** Dotted paths of inputs that are Pulumi secrets. */
    secretPaths: string[];
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    protect: boolean;
    retainOnDelete: boolean;
    ignoreChanges: string[];
    /** Input paths whose change replaces the resource. */
    replaceOnChanges: string[];
    /** Replaced by deleting first, then creating. */
    deleteBeforeReplace: boolean;
    /** The URNs its `aliases` stand for (resolved as the engine does: see aliasUrns). */
    aliases: string[];
    provider?: string;
    /** True when the resource is a remote component (children invisible to mocks). */
    remote: boolean;
    /**
     * The URN the real engine gives the resource: the type is qualified by every ancestor's type
     * (the mock monitor only prefixes the parent's own type).
     */
    engineUrn: string;
}

/**
 * The URNs a registration's `aliases` stand for, as the engine resolves them: alias URNs as given,
 * and alias specs (what the SDK sends a monitor that supports structured aliases, as the mocks
 * do) completed from the resource itself: name, type, stack, project and parent default to the
 * resource's own, `noParent` drops the parent. The type is qualified by the parent's, as in the
 * resource's own URN.
 */
function aliasUrns(
    req: any,
    stack: string,
    project: string,
    engineUrnOf: (urn: string) => string | undefined,
    aliasesOf: (urn: string) => string[] = () => [],
): string[] {
    const out: string[] = [...req.getAliasurnsList()];
    for (const a of req.getAliasesList?.() ?? []) {
        if (a.getUrn()) {
            out.push(a.getUrn());
            continue;
        }
        const spec = a.getSpec();
        if (!spec) continue;
        const parent: string | undefined = spec.getNoparent() ? undefined : spec.getParenturn() || req.getParent() || undefined;
        const parentType = parent ? (engineUrnOf(parent) ?? parent).split("::")[2] : undefined;
        const type = spec.getType() || req.getType();
        out.push(
            `urn:pulumi:${spec.getStack() || stack}::${spec.getProject() || project}::${parentType ? `${parentType}$` : ""}${type}::${spec.getName() || req.getName()}`,
        );
    }
    // A parent's aliases reach its children, as the engine multiplies them out (step_generator.go
    // generateAliases and inheritedChildAlias, pkg/v3 v3.256.0): the child under each alias of its
    // parent, with its own type and name and with each of its own aliases' type and name; a child
    // name that starts with the parent's name ("{parent}-details") starts with the alias's name
    // instead. The engine inherits the one alias its parent matched in the old state; the mocks,
    // having no old state, inherit all of them (a comparison then matches at most one).
    const parent: string = req.getParent();
    if (parent) {
        const parentName = parent.split("::").slice(3).join("::");
        const typeAndName = (urn: string) => {
            const [, , qualifiedType, ...rest] = urn.split("::");
            return { qualifiedType, type: qualifiedType.split("$").pop()!, name: rest.join("::") };
        };
        const own = [{ type: req.getType() as string, name: req.getName() as string }, ...out.map(typeAndName)];
        for (const pa of aliasesOf(parent)) {
            const p = typeAndName(pa);
            for (const o of own) {
                const name = o.name.startsWith(parentName) ? p.name + o.name.slice(parentName.length) : o.name;
                const urn = `urn:pulumi:${stack}::${project}::${p.qualifiedType}$${o.type}::${name}`;
                if (!out.includes(urn)) out.push(urn);
            }
        }
    }
    return out;
}

/** One provider function call (invoke) the program made. */
export interface RecordedInvoke {
    token: string;
    inputs: Record<string, unknown>;
}

/**
 * Thrown when the program breaks a rule the real Pulumi engine (or the Kubernetes provider)
 * enforces, so that what fails `pulumi preview` fails the mocks too.
 */
export class EngineInvariantError extends Error {
    constructor(readonly problems: string[]) {
        super(`the Pulumi engine would refuse this program:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "EngineInvariantError";
    }
}

/** Query helpers over the recorded resources. */
export class ResourceLog {
    readonly all: RecordedResource[] = [];
    /** Provider functions called, in order. */
    readonly invokes: RecordedInvoke[] = [];
    /** Engine invariants the program broke (see `EngineInvariantError`). */
    readonly problems: string[] = [];
    /** URNs of resources read (`get`) rather than registered; they may be parents too. */
    readonly reads = new Set<string>();
    private readonly engineUrns = new Set<string>();
    private readonly k8sObjects = new Map<string, string>();

    /** Throws an EngineInvariantError when the program broke an engine invariant. */
    assertEngineInvariants(): void {
        if (this.problems.length > 0) throw new EngineInvariantError(this.problems);
    }

    /**
     * Checks one registration against what the engine and the Kubernetes provider enforce:
     * URNs are unique; a parent, a provider and every dependency are registered before the
     * resource; one Kubernetes object (apiVersion group, kind, namespace, name) per provider has
     * one owner (two resources managing one object conflict under server-side apply and
     * overwrite each other's file when rendering).
     */
    check(r: RecordedResource, providerUrn: string | undefined): void {
        if (this.engineUrns.has(r.engineUrn)) this.problems.push(`Duplicate resource URN '${r.engineUrn}'; try giving it a unique name`);
        this.engineUrns.add(r.engineUrn);
        const known = (urn: string) => this.reads.has(urn) || !!this.byUrn(urn);
        if (r.parent && !known(r.parent)) this.problems.push(`${r.engineUrn}: parent ${r.parent} was never registered`);
        if (providerUrn && !known(providerUrn)) this.problems.push(`${r.engineUrn}: provider ${providerUrn} was never registered`);
        for (const d of r.dependencies) if (!known(d)) this.problems.push(`${r.engineUrn}: dependency ${d} was never registered`);
        if (r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:yaml") && !r.type.includes("List")) {
            const o = r.inputs as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
            if (o.kind && o.metadata?.name) {
                const group = (o.apiVersion ?? "").includes("/") ? o.apiVersion!.split("/")[0] : "";
                const key = `${providerUrn ?? "default"}|${group}|${o.kind}|${o.metadata.namespace ?? ""}|${o.metadata.name}`;
                const other = this.k8sObjects.get(key);
                if (other)
                    this.problems.push(
                        `${r.engineUrn} and ${other} manage the same Kubernetes object ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`,
                    );
                else this.k8sObjects.set(key, r.engineUrn);
            }
        }
    }

    ofType(type: string): RecordedResource[] {
        return this.all.filter((r) => r.type === type);
    }
    /** The single resource of a type (optionally whose name ends with `-<suffix>`); throws otherwise. */
    one(type: string, suffix = ""): RecordedResource {
        const found = this.ofType(type).filter((r) => !suffix || r.name === suffix || r.name.endsWith(`-${suffix}`));
        if (found.length !== 1) {
            throw new Error(`expected exactly one ${type}${suffix ? ` named *-${suffix}` : ""}, found ${found.length}: ${found.map((f) => f.name).join(", ")}`);
        }
        return found[0];
    }
    named(name: string): RecordedResource | undefined {
        return this.all.find((r) => r.name === name);
    }
    byUrn(urn: string): RecordedResource | undefined {
        return this.all.find((r) => r.urn === urn);
    }
    children(parentUrn: string): RecordedResource[] {
        return this.all.filter((r) => r.parent === parentUrn);
    }
    countByType(): Record<string, number> {
        const out: Record<string, number> = {};
        for (const r of this.all) out[r.type] = (out[r.type] ?? 0) + 1;
        return out;
    }
}

/** Deterministic short hash for mock ids. */
function shortHash(s: string): string {
    let h = 2166136261;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    return (h >>> 0).toString(16).padStart(8, "0");
}

function serviceOf(type: string): string {
    // aws:rds/instance:Instance -> rds
    const m = /^aws:([a-z0-9]+)\//.exec(type);
    return m ? m[1] : "unknown";
}

/** Computed outputs the real providers would return, for the fields the components read. */
/** ARN formats of the resource types whose ARNs the components reference. */
/** Service-linked role names by service principal (AWS's names: `AWSServiceRoleFor<Name>[_<suffix>]`). */
const SLR_NAMES: Record<string, string> = { "autoscaling.amazonaws.com": "AutoScaling" };

/** The partition of a mocked region (`aws` for one AWS does not list). */
function partitionOf(region: string): string {
    return partitionOfRegion(region) ?? "aws";
}

function arnOf(type: string, name: string, inputs: Record<string, any>, region: string, account: string): string {
    const physical = inputs.name ?? name;
    switch (type) {
        case "aws:cloudwatch/logGroup:LogGroup":
            return `arn:${partitionOf(region)}:logs:${region}:${account}:log-group:${physical}`;
        case "aws:iam/role:Role":
            return `arn:${partitionOf(region)}:iam::${account}:role/${physical}`;
        case "aws:iam/instanceProfile:InstanceProfile":
            return `arn:${partitionOf(region)}:iam::${account}:instance-profile/${physical}`;
        case "aws:sns/topic:Topic":
            return `arn:${partitionOf(region)}:sns:${region}:${account}:${physical}`;
        case "aws:secretsmanager/secret:Secret":
            return `arn:${partitionOf(region)}:secretsmanager:${region}:${account}:secret:${inputs.namePrefix ?? `${physical}-`}${shortHash(name).slice(0, 6)}`;
        case "aws:iam/serviceLinkedRole:ServiceLinkedRole":
            return `arn:${partitionOf(region)}:iam::${account}:role/aws-service-role/${inputs.awsServiceName}/AWSServiceRoleFor${SLR_NAMES[inputs.awsServiceName] ?? inputs.awsServiceName}${inputs.customSuffix ? `_${inputs.customSuffix}` : ""}`;
        case "aws:acm/certificate:Certificate":
            return `arn:${partitionOf(region)}:acm:${region}:${account}:certificate/${shortHash(name)}-0000-4000-8000-${shortHash(type + name)}0000`;
        // Elastic Load Balancing's formats (what an IAM policy naming them is judged against):
        // targetgroup/<name>/<id>, listener/app/<alb>/<alb id>/<id>, listener-rule/app/<alb>/<alb id>/<listener id>/<id>.
        case "aws:lb/targetGroup:TargetGroup":
            return `arn:${partitionOf(region)}:elasticloadbalancing:${region}:${account}:targetgroup/${physical}/${shortHash(name)}`;
        case "aws:lb/listener:Listener": {
            const alb = String(inputs.loadBalancerArn ?? "alb")
                .split(":")
                .pop();
            return `arn:${partitionOf(region)}:elasticloadbalancing:${region}:${account}:listener/app/${alb}/${shortHash(alb ?? "")}/${shortHash(name)}`;
        }
        case "aws:lb/listenerRule:ListenerRule":
            return `${String(inputs.listenerArn ?? "").replace(":listener/", ":listener-rule/")}/${shortHash(name)}`;
        default:
            return `arn:${partitionOf(region)}:${serviceOf(type)}:${region}:${account}:${name}`;
    }
}

/** The S3 prefix list the mocks report (the form AWS uses: pl- and 8 hex digits). */
export const MOCK_S3_PREFIX_LIST = "pl-6da54004";

/** CloudFront's origin-facing prefix list the mocks report. */
export const MOCK_CLOUDFRONT_PREFIX_LIST = "pl-4fa04526";

function mockState(type: string, name: string, inputs: Record<string, any>, region: string, account: string): Record<string, unknown> {
    const MOCK_ACCOUNT_ID = account;
    const id = `${name}-${shortHash(type + name)}`;
    const arn = arnOf(type, name, inputs, region, account);
    const base: Record<string, unknown> = { ...inputs, arn: inputs.arn ?? arn };
    switch (type) {
        case "aws:kms/key:Key":
            return { ...base, keyId: id, arn: `arn:${partitionOf(region)}:kms:${region}:${MOCK_ACCOUNT_ID}:key/${id}` };
        case "aws:s3/bucket:Bucket": {
            const bucket = inputs.bucket ?? id;
            return { ...base, bucket, arn: `arn:${partitionOf(region)}:s3:::${bucket}`, bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com` };
        }
        case "aws:lb/loadBalancer:LoadBalancer":
            return {
                ...base,
                dnsName: `${name}-1234567890.${region}.elb.amazonaws.com`,
                zoneId: "Z32O12XQLNTSW2",
                arnSuffix: `app/${name}/${shortHash(name)}`,
            };
        case "aws:lb/targetGroup:TargetGroup":
            return { ...base, arnSuffix: `targetgroup/${name}/${shortHash(name)}`, name: inputs.name ?? id };
        case "aws:rds/instance:Instance":
            return {
                ...base,
                address: `${name}.abcdefghijkl.${region}.rds.amazonaws.com`,
                endpoint: `${name}.abcdefghijkl.${region}.rds.amazonaws.com:5432`,
                identifier: inputs.identifier ?? id,
                resourceId: `db-${shortHash(name).toUpperCase()}`,
                masterUserSecrets: inputs.manageMasterUserPassword
                    ? [
                          {
                              secretArn: `arn:${partitionOf(region)}:secretsmanager:${region}:${MOCK_ACCOUNT_ID}:secret:rds!db-${shortHash(name)}`,
                              secretStatus: "active",
                          },
                      ]
                    : [],
            };
        case "aws:rds/proxy:Proxy": {
            // The proxy's ARN ends with its resource id (prx-…), which IAM authentication names.
            const proxyId = `prx-${shortHash(name)}${shortHash(type + name)}`;
            return {
                ...base,
                arn: `arn:${partitionOf(region)}:rds:${region}:${MOCK_ACCOUNT_ID}:db-proxy:${proxyId}`,
                endpoint: `${inputs.name ?? name}.proxy-abcdefghijkl.${region}.rds.amazonaws.com`,
            };
        }
        case "aws:elasticache/replicationGroup:ReplicationGroup":
            return {
                ...base,
                primaryEndpointAddress: `master.${name}.abcdef.${region}.cache.amazonaws.com`,
                readerEndpointAddress: `replica.${name}.abcdef.${region}.cache.amazonaws.com`,
            };
        case "aws:acm/certificate:Certificate":
            return {
                ...base,
                domainValidationOptions: [
                    {
                        domainName: inputs.domainName,
                        resourceRecordName: `_x1.${inputs.domainName}.`,
                        resourceRecordType: "CNAME",
                        resourceRecordValue: "_x2.acm-validations.aws.",
                    },
                ],
            };
        case "aws:ecs/cluster:Cluster":
        case "aws:autoscaling/group:Group":
        case "aws:ecs/service:Service":
        case "aws:cloudwatch/logGroup:LogGroup":
        case "aws:iam/role:Role":
        case "aws:sns/topic:Topic":
            return { ...base, name: inputs.name ?? id };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { ...base, latestVersion: 1 };
        case "aws:ec2/vpcEndpoint:VpcEndpoint":
            return inputs.vpcEndpointType === "Gateway" ? { ...base, prefixListId: MOCK_S3_PREFIX_LIST } : base;
        case "aws:networkfirewall/firewall:Firewall":
            // One endpoint per subnet mapping, as the firewall's status reports them.
            return {
                ...base,
                firewallStatuses: [
                    {
                        syncStates: (inputs.subnetMappings ?? []).map((m: { subnetId: string }) => ({
                            availabilityZone: region,
                            attachments: [{ subnetId: m.subnetId, endpointId: `vpce-${shortHash(name + m.subnetId)}` }],
                        })),
                    },
                ],
            };
        case "aws:cloudfront/distribution:Distribution":
            // CloudFront ARNs have no region: arn:aws:cloudfront::<account>:distribution/<id>.
            return {
                ...base,
                arn: `arn:${partitionOf(region)}:cloudfront::${account}:distribution/E${shortHash(name).toUpperCase()}`,
                domainName: `d${shortHash(name)}.cloudfront.net`,
                hostedZoneId: "Z2FDTNDATAQYW2",
            };
        case "aws:cloudwatch/logDeliverySource:LogDeliverySource":
            return { ...base, name: inputs.name ?? id };
        case "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace":
            return { ...base, hostedZone: "Z0123456789ABCDEFGHIJ" };
        default:
            break;
    }
    if (type.startsWith("kubernetes:")) {
        const metadata = { ...(inputs.metadata ?? {}) };
        if (!metadata.name) metadata.name = `${name}-${shortHash(name).slice(0, 8)}`;
        return { ...inputs, metadata };
    }
    if (type.startsWith("random:")) {
        // Deterministic value of the requested length, recognisable by its "mock" prefix.
        let result = "mock";
        for (let i = 0; result.length < (inputs.length ?? 32); i++) result += shortHash(`${name}${i}`);
        return { ...inputs, result: result.slice(0, inputs.length ?? 32) };
    }
    return base;
}

/** Mocked provider functions (invokes). Values are plausible and stable. */
function mockCall(token: string, inputs: Record<string, any>, region: string, account: string): Record<string, unknown> {
    const MOCK_ACCOUNT_ID = account;
    switch (token) {
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return {
                names: MOCK_AZ_SUFFIXES.map((s) => `${region}${s}`),
                zoneIds: MOCK_AZ_SUFFIXES.map((_, i) => `euw1-az${i + 1}`),
                id: region,
            };
        case "aws:ssm/getParameter:getParameter":
            return { name: inputs.name, value: MOCK_GPU_AMI, type: "String", arn: `arn:${partitionOf(region)}:ssm:${region}::parameter${inputs.name}` };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT_ID, arn: `arn:${partitionOf(region)}:iam::${MOCK_ACCOUNT_ID}:user/mock`, userId: "AIDAMOCK", id: MOCK_ACCOUNT_ID };
        case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
        case "aws:index/getPartition:getPartition": {
            // The provider computes the partition from its region (no API call).
            const partition = partitionOfRegion(region) ?? "aws";
            const dnsSuffix = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
            return { partition, dnsSuffix, id: partition };
        }
        case "aws:ec2/getPrefixList:getPrefixList":
            return { id: MOCK_S3_PREFIX_LIST, name: inputs.name, cidrBlocks: ["3.5.0.0/19", "52.218.0.0/17"] };
        case "aws:ec2/getManagedPrefixList:getManagedPrefixList":
            return { id: MOCK_CLOUDFRONT_PREFIX_LIST, name: inputs.name, entries: [{ cidr: "120.52.22.96/27" }], maxEntries: 55 };
        case "aws:elb/getServiceAccount:getServiceAccount":
            return { arn: "arn:aws:iam::156460612806:root", id: "156460612806" };
        default:
            return inputs;
    }
}

function secretPathsOf(value: unknown, prefix = ""): string[] {
    if (value === null || typeof value !== "object") return [];
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG] === SECRET_VALUE) return [prefix || "(root)"];
    const out: string[] = [];
    for (const [k, v] of Object.entries(obj)) out.push(...secretPathsOf(v, prefix ? `${prefix}.${k}` : k));
    return out;
}

export interface MockOptions {
    project?: string;
    stack?: string;
    /** Region the AWS mocks report. @default "eu-west-1" */
    region?: string;
    /** Stack config, keys fully qualified (`project:key`, `aws:region`). */
    config?: Record<string, string>;
    /** Account the AWS mocks report and write into ARNs. @default MOCK_ACCOUNT_ID */
    accountId?: string;
    /**
     * Outputs of the stacks the program references (`new pulumi.StackReference(name)`), by name.
     * A reference to a stack not listed has no outputs (`requireOutput` fails, as it would).
     * @default {}
     */
    stackReferences?: Record<string, Record<string, unknown>>;
}

/**
 * Installs the mocks and returns the log that every registration is appended to.
 * Each call starts a fresh log and a fresh mock monitor.
 */
export function installMocks(opts: MockOptions = {}): ResourceLog {
    const project = opts.project ?? "rag-platform";
    const stack = opts.stack ?? "test";
    const region = opts.region ?? "eu-west-1";
    const account = opts.accountId ?? MOCK_ACCOUNT_ID;
    const log = new ResourceLog();
    pulumi.runtime.setAllConfig(opts.config ?? {}, []);
    pulumi.runtime.setMocks(
        {
            newResource: (args) =>
                args.type === "pulumi:pulumi:StackReference"
                    ? {
                          id: args.inputs.name ?? args.name,
                          state: {
                              name: args.inputs.name ?? args.name,
                              outputs: opts.stackReferences?.[args.inputs.name ?? args.name] ?? {},
                              secretOutputNames: [],
                          },
                      }
                    : {
                          id: args.custom ? `${args.name}-${shortHash(args.type + args.name)}` : undefined,
                          state: mockState(args.type, args.name, args.inputs, region, account),
                      },
            call: (args) => {
                log.invokes.push({ token: args.token, inputs: args.inputs });
                return mockCall(args.token, args.inputs, region, account);
            },
        },
        project,
        stack,
        false,
    );
    const monitor = pulumi.runtime.getMonitor() as any;
    const read = monitor.readResource.bind(monitor);
    monitor.readResource = (req: any, callback: (err: any, resp: any) => void) =>
        read(req, (err: any, resp: any) => {
            if (!err && resp) log.reads.add(resp.getUrn());
            callback(err, resp);
        });
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) =>
        register(req, (err: any, resp: any) => {
            if (!err && resp) {
                const propDeps: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((v: any, k: string) => {
                    propDeps[k] = v.getUrnsList();
                });
                const raw = req.getObject()?.toJavaScript() ?? {};
                const parentUrn: string | undefined = req.getParent() || undefined;
                const parentRecord = parentUrn ? log.byUrn(parentUrn) : undefined;
                const qualifiedType = parentRecord ? `${parentRecord.engineUrn.split("::")[2]}$${req.getType()}` : req.getType();
                const record: RecordedResource = {
                    urn: resp.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent() || undefined,
                    custom: req.getCustom(),
                    inputs: stripSecrets(raw) as Record<string, unknown>,
                    state: stripSecrets(resp.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
                    id: resp.getId() || undefined,
                    secretPaths: secretPathsOf(raw),
                    dependencies: req.getDependenciesList(),
                    propertyDependencies: propDeps,
                    protect: req.getProtect() === true,
                    retainOnDelete: req.getRetainondelete() === true,
                    ignoreChanges: req.getIgnorechangesList(),
                    replaceOnChanges: req.getReplaceonchangesList(),
                    deleteBeforeReplace: req.getDeletebeforereplace() === true,
                    aliases: aliasUrns(
                        req,
                        stack,
                        project,
                        (urn) => log.byUrn(urn)?.engineUrn,
                        (urn) => log.byUrn(urn)?.aliases ?? [],
                    ),
                    provider: req.getProvider() || undefined,
                    remote: req.getRemote() === true,
                    engineUrn: `urn:pulumi:${stack}::${project}::${qualifiedType}::${req.getName()}`,
                };
                const providerRef: string = req.getProvider() || "";
                log.check(record, providerRef ? providerRef.split("::").slice(0, -1).join("::") : undefined);
                log.all.push(record);
            }
            callback(err, resp);
        });
    return log;
}

/** Replaces the serialized secret envelopes by their plain values (inputs as a provider sees them). */
function stripSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(stripSecrets);
    if (value === null || typeof value !== "object") return value;
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG] === SECRET_VALUE) return stripSecrets(obj.value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = stripSecrets(v);
    return out;
}

/** Resolves an Output (or plain value) to its value under mocks. */
export function valueOf<T>(o: pulumi.Input<T> | pulumi.Output<T>): Promise<T> {
    return new Promise((resolve, reject) => {
        const out = pulumi.output(o);
        out.apply((v) => resolve(v as T));
        // An error thrown in an apply (e.g. a StackReference of the wrong shape) fails the run,
        // as it fails `pulumi up`, instead of leaving the value pending for ever.
        (out as unknown as { promise?: () => Promise<unknown> }).promise?.().catch(reject);
    });
}

/**
 * Waits until every registration the program started has been recorded: the SDK's outstanding
 * RPC counter is drained twice in a row (children register after their parents resolve). Given
 * the log, it then throws an EngineInvariantError if the program broke an engine invariant.
 */
export async function settle(log?: ResourceLog): Promise<void> {
    for (let i = 0; i < 3; i++) {
        await (pulumi.runtime as any).waitForRPCs?.();
        await new Promise((r) => setImmediate(r));
    }
    log?.assertEngineInvariants();
}
