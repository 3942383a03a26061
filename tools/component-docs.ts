/**
 * Generates one Markdown page per component (docs/components/<target>-<component>.md) from the
 * source: the class doc comment (what it is and its security posture), the resources it creates
 * (every `new aws.* / k8s.* / random.*` in its file), its Args with doc comments and `@default`s,
 * its outputs, and a cost note per environment.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const COST_NOTES: Record<string, string> = {
    "aws-Network":
        "NAT gateways are about $45/month each plus data processing: staging runs one, production one per AZ (3). Interface endpoints cost about $8/month per endpoint per AZ.",
    "aws-Llm":
        "GPU instances dominate: g5.xlarge is about $1/hour on demand. Staging can scale to zero (minInstances 0, desiredCount 0); production runs 2 × g5.2xlarge. Spot (`spot: true`) cuts the price by roughly 60% at the risk of interruption.",
    "aws-Database":
        "Multi-AZ doubles the instance cost; each read replica adds one instance. Production (db.r6g.xlarge, Multi-AZ, 1 replica) costs about 3 × a staging db.r6g.large. Cross-region backup replication adds storage and transfer in the backup region.",
    "aws-Cache": "Production adds a replica node in another AZ for automatic failover (2 × cache.r7g.large); staging runs one cache.t4g.medium.",
    "aws-Edge": "An ALB is about $20/month plus LCUs; access logs add S3 storage.",
    "aws-Waf": "WAFv2: about $5/month per web ACL, $1 per rule or managed group, $0.60 per million requests.",
    "aws-Observability": "Alarms are about $0.10 each per month (about 13); the dashboard about $3/month.",
    "aws-Audit": "One multi-region management-event trail is free of CloudTrail charges; S3 and CloudWatch Logs storage apply.",
    "kubernetes-Llm": "Each replica holds a whole GPU node's GPU(s): staging 1, production 2.",
    "kubernetes-Database": "Production runs 3 instances (primary, standby, replica), each with its own volume; staging 1.",
};

interface Member {
    name: string;
    type: string;
    optional: boolean;
    doc: string;
    defaultValue?: string;
}

function docOf(node: ts.Node, sf: ts.SourceFile): { text: string; defaultValue?: string } {
    const jsDocs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
    let text = "";
    let defaultValue: string | undefined;
    for (const d of jsDocs) {
        const c = typeof d.comment === "string" ? d.comment : (ts.getTextOfJSDocComment(d.comment) ?? "");
        text += c;
        for (const tag of d.tags ?? []) {
            const tc = typeof tag.comment === "string" ? tag.comment : (ts.getTextOfJSDocComment(tag.comment) ?? "");
            if (tag.tagName.text === "default") defaultValue = tc.trim();
        }
    }
    void sf;
    return { text: text.replace(/\s+/g, " ").trim(), defaultValue };
}

function membersOf(iface: ts.InterfaceDeclaration, sf: ts.SourceFile): Member[] {
    return iface.members.filter(ts.isPropertySignature).map((m) => {
        const d = docOf(m, sf);
        return {
            name: m.name.getText(sf),
            type: m.type?.getText(sf).replace(/\s+/g, " ") ?? "",
            optional: !!m.questionToken,
            doc: d.text,
            defaultValue: d.defaultValue,
        };
    });
}

function collectInterfaces(files: string[]): Map<string, { iface: ts.InterfaceDeclaration; sf: ts.SourceFile }> {
    const out = new Map<string, { iface: ts.InterfaceDeclaration; sf: ts.SourceFile }>();
    for (const f of files) {
        const sf = ts.createSourceFile(f, fs.readFileSync(f, "utf8"), ts.ScriptTarget.ES2022, true);
        sf.forEachChild((n) => {
            if (ts.isInterfaceDeclaration(n)) out.set(n.name.text, { iface: n, sf });
        });
    }
    return out;
}

function allMembers(name: string, ifaces: ReturnType<typeof collectInterfaces>): Member[] {
    const entry = ifaces.get(name);
    if (!entry) return [];
    const own = membersOf(entry.iface, entry.sf);
    const inherited = (entry.iface.heritageClauses ?? [])
        .flatMap((h) => h.types.map((t) => t.expression.getText(entry.sf)))
        .flatMap((n) => allMembers(n, ifaces));
    const names = new Set(own.map((m) => m.name));
    return [...own, ...inherited.filter((m) => !names.has(m.name))];
}

const esc = (s: string) => s.replace(/\|/g, "\\|");

/** Pages keyed by file name (relative to docs/components). */
export function componentPages(root: string): Map<string, string> {
    const pages = new Map<string, string>();
    const index: string[] = [
        "# Components",
        "",
        "Generated from the sources by `npm run docs`; do not edit by hand.",
        "",
        "| target | component | type token | page |",
        "|---|---|---|---|",
    ];
    for (const target of ["aws", "kubernetes"] as const) {
        const dir = path.join(root, "components", target);
        const files = fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".ts") && f !== "index.ts")
            .map((f) => path.join(dir, f));
        // The shared outputs interface (components/core/outputs.ts) is read too: RagStackComponent subclasses inherit it.
        // The settings the components share with their tier (ApiAutoscaling) first: a component's own interface of the same name wins.
        const ifaces = collectInterfaces([path.join(root, "components", "settings", "api.ts"), ...files, path.join(root, "components", "core", "outputs.ts")]);
        for (const file of files) {
            const text = fs.readFileSync(file, "utf8");
            const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
            sf.forEachChild((n) => {
                if (!ts.isClassDeclaration(n) || !n.name || !(n.heritageClauses ?? []).some((h) => /ComponentResource|RagStackComponent/.test(h.getText(sf))))
                    return;
                const cls = n.name.text;
                const token = new RegExp(`typeToken\\("${target}", "([A-Za-z]+)"\\)`).exec(n.getText(sf))?.[1] ?? cls;
                const doc = docOf(n, sf).text;
                const creates = [...new Set([...text.matchAll(/new (aws|k8s|random)\.([A-Za-z0-9.]+)\(/g)].map((m) => `${m[1]}.${m[2]}`))].sort();
                const subcomponents = [...new Set([...n.getText(sf).matchAll(/new ([A-Z][A-Za-z]+)\(/g)].map((m) => m[1]))]
                    .filter(
                        (c) =>
                            c !== "Validator" &&
                            c !== "AwsContext" &&
                            c !== "K8sContext" &&
                            c !== "Error" &&
                            c !== "ValidationError" &&
                            c !== "Set" &&
                            c !== "Map" &&
                            c !== "Promise",
                    )
                    .sort();
                const args = allMembers(`${cls}Args`, ifaces);
                const inherited = (n.heritageClauses ?? []).some((h) => /RagStackComponent/.test(h.getText(sf)))
                    ? allMembers("RagStackOutputs", ifaces).map((m) => ({ name: m.name, type: m.type, doc: m.doc }))
                    : [];
                const outputs = [
                    ...inherited,
                    ...n.members
                        .filter(ts.isPropertyDeclaration)
                        .filter(
                            (m) =>
                                m.modifiers?.some((x) => x.kind === ts.SyntaxKind.ReadonlyKeyword) &&
                                !m.modifiers?.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword),
                        )
                        .map((m) => ({ name: m.name.getText(sf), type: m.type?.getText(sf) ?? "(value)", doc: docOf(m, sf).text })),
                ];
                const lines: string[] = [];
                lines.push(`# ${cls} (\`ragstack:${target}:${token}\`)`);
                lines.push("");
                lines.push(`Source: \`${path.relative(root, file)}\`. Generated by \`npm run docs\`; do not edit by hand.`);
                lines.push("");
                lines.push("## What it is and its security posture");
                lines.push("");
                lines.push(doc || "(no description)");
                lines.push("");
                lines.push("## What it creates");
                lines.push("");
                for (const c of creates) lines.push(`- \`${c}\``);
                for (const c of subcomponents) lines.push(`- the \`${c}\` component`);
                if (creates.length + subcomponents.length === 0) lines.push("- nothing (references only)");
                lines.push("");
                lines.push("## Arguments");
                lines.push("");
                lines.push("| name | type | required | default | description |");
                lines.push("|---|---|---|---|---|");
                for (const a of args)
                    lines.push(
                        `| \`${a.name}\` | \`${esc(a.type)}\` | ${a.optional ? "no" : "yes"} | ${a.defaultValue ? `\`${esc(a.defaultValue)}\`` : "-"} | ${esc(a.doc)} |`,
                    );
                lines.push("");
                lines.push("## Outputs");
                lines.push("");
                for (const o of outputs) lines.push(`- \`${o.name}\`: \`${esc(o.type)}\`${o.doc ? ` — ${o.doc}` : ""}`);
                lines.push("");
                lines.push("## Cost");
                lines.push("");
                lines.push(COST_NOTES[`${target}-${token}`] ?? "No significant cost of its own beyond the resources listed above.");
                lines.push("");
                const fileName = `${target}-${token.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase()}.md`;
                pages.set(fileName, lines.join("\n"));
                index.push(`| ${target} | ${cls} | \`ragstack:${target}:${token}\` | [${fileName}](${fileName}) |`);
            });
        }
    }
    pages.set("README.md", index.join("\n") + "\n");
    return pages;
}
