/**
 * Reports that CI systems read natively, built from a finished plan:
 * - SARIF 2.1.0 (`--sarif`): GitHub code scanning and most review tools;
 * - JUnit XML (`--junit`): GitLab, Jenkins, Azure DevOps test views;
 * - Markdown (`--summary`): a pull-request comment or `$GITHUB_STEP_SUMMARY`.
 * Each carries a signature so that the plan recognises (and may replace) a report it wrote.
 */
import * as path from "path";
import { Rule } from "../../policies/lib/framework";
import { allRules, policyDescriptors } from "../../policies/lib/rules";
import type { RecordedResource } from "../mocks";
import { PlanViolation, planPassed } from "./document";
import type { PlanResult } from "./result";
import { locate, SourceLocation } from "./sources";

export const TOOL_NAME = "ragstack-plan";
export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
const MARKDOWN_SIGNATURE = "<!-- ragstack-plan summary -->";

/** Severity of a rule as GitHub's `security-severity` (0-10). */
const SECURITY_SEVERITY: Record<string, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

function ruleOf(name: string): Rule | undefined {
    return allRules.find((r) => r.name === name);
}

function shortName(urn: string | null): string {
    return urn ? (urn.split("::").pop() ?? urn) : "(stack)";
}

/** Options for file locations in reports. */
export interface ReportContext {
    /** Folder that relative locations are relative to (SARIF `%SRCROOT%`). */
    baseDir: string;
    /** Component type token -> source location. */
    sources: Map<string, SourceLocation>;
    /** Location of resources outside the library's components (the program's entry file). */
    programFile: SourceLocation;
    /** Version of this tool. */
    version: string;
}

function uriOf(file: string, baseDir: string): { uri: string; uriBaseId?: string } {
    const rel = path.relative(baseDir, file);
    if (!rel.startsWith("..") && !path.isAbsolute(rel)) return { uri: rel.split(path.sep).join("/"), uriBaseId: "%SRCROOT%" };
    return { uri: `file://${file.split(path.sep).join("/")}` };
}

/** SARIF 2.1.0: one result per violation (and per undecided policy, as a note), each rule described once. */
export function sarifReport(result: PlanResult, ctx: ReportContext): Record<string, unknown> {
    const d = result.document;
    const ran = [
        ...new Set([...policyDescriptors().map((p) => p.name), ...d.policy.violations.map((v) => v.policy), ...d.policy.undecided.map((v) => v.policy)]),
    ];
    const rules = ran.map((name) => {
        const r = ruleOf(name);
        const help = r
            ? `${r.description}\n\nRemediation: ${r.remediation}\n\nFrameworks: ${
                  Object.entries(r.frameworks)
                      .map(([k, v]) => `${k} ${(v ?? []).join(", ")}`)
                      .join("; ") || "none"
              }`
            : "Reports the policy exceptions used in this run.";
        return {
            id: name,
            name: name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
            shortDescription: { text: r?.description ?? name },
            fullDescription: { text: r?.description ?? name },
            help: { text: help, markdown: help.replace(/\n\n/g, "\n\n") },
            defaultConfiguration: { level: r && (r.category === "encryption" || r.category === "least-privilege") ? "error" : "warning" },
            properties: {
                tags: r ? [r.target, r.category, ...Object.keys(r.frameworks)] : ["audit"],
                precision: "very-high",
                ...(r ? { "security-severity": SECURITY_SEVERITY[r.severity] ?? "5.5" } : {}),
            },
        };
    });
    const index = new Map(ran.map((n, i) => [n, i]));
    const result1 = (v: PlanViolation, level: "error" | "warning" | "note") => {
        const loc = locate(v.urn, result.records, ctx.sources, ctx.programFile);
        return {
            ruleId: v.policy,
            ruleIndex: index.get(v.policy) ?? 0,
            level,
            message: { text: v.urn ? `${v.message} (${shortName(v.urn)})` : v.message },
            locations: [
                {
                    physicalLocation: { artifactLocation: uriOf(loc.file, ctx.baseDir), region: { startLine: loc.line } },
                    logicalLocations: [{ fullyQualifiedName: v.urn ?? `stack ${d.stack}`, kind: "resource" }],
                },
            ],
            properties: { enforcementLevel: v.enforcementLevel, severity: v.severity, urn: v.urn },
        };
    };
    return {
        $schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: {
                        name: TOOL_NAME,
                        fullName: "RAG platform offline plan and policy check",
                        version: ctx.version,
                        informationUri: "https://github.com/ragstack/pulumi-rag-platform",
                        rules,
                    },
                },
                originalUriBaseIds: { "%SRCROOT%": { uri: `file://${ctx.baseDir.split(path.sep).join("/")}/` } },
                automationDetails: { id: `${TOOL_NAME}/${d.stack}/${d.target}/` },
                invocations: [{ executionSuccessful: true, exitCode: planPassed(d) ? 0 : 1 }],
                results: [
                    ...d.policy.violations.map((v) => result1(v, v.enforcementLevel === "mandatory" ? "error" : "warning")),
                    ...d.policy.undecided.map((v) => result1(v, "note")),
                ],
                properties: {
                    stack: d.stack,
                    target: d.target,
                    environment: d.environment,
                    passed: planPassed(d),
                    capacityProblems: d.capacity?.problems ?? [],
                    monthlyCostUsd: d.cost?.monthly.total ?? null,
                },
            },
        ],
    };
}

export function isSarifReport(text: string): boolean {
    try {
        const doc = JSON.parse(text) as { version?: string; runs?: { tool?: { driver?: { name?: string } } }[] };
        return doc.version === "2.1.0" && doc.runs?.[0]?.tool?.driver?.name === TOOL_NAME;
    } catch {
        return false;
    }
}

function xml(s: string): string {
    return (
        s
            .replace(/&/g, "&amp;")
            .replace(/</g, "&lt;")
            .replace(/>/g, "&gt;")
            .replace(/"/g, "&quot;")
            // Characters XML 1.0 cannot carry.
            // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
            .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "")
    );
}

/**
 * JUnit XML: a test suite per rule, a test case per rule x resource it checks (resource rules:
 * the resources of the rule's types; stack rules: the stack, plus each resource a finding
 * names); a violation is a failure whose type is its enforcement level; an undecided check is
 * skipped.
 */
export function junitReport(result: PlanResult): string {
    const d = result.document;
    const records = result.records;
    const violationsOf = (rule: string) => d.policy.violations.filter((v) => v.policy === rule);
    const suites: string[] = [];
    let tests = 0;
    let failures = 0;
    let skipped = 0;
    const ruleNames = [...new Set([...policyDescriptors().map((p) => p.name), ...d.policy.violations.map((v) => v.policy)])];
    for (const name of ruleNames) {
        const rule = ruleOf(name);
        const found = violationsOf(name);
        const undecided = d.policy.undecided.filter((v) => v.policy === name);
        const subjects: { urn: string | null; type: string; label: string }[] =
            rule?.kind === "resource"
                ? records.filter((r) => r.custom && rule.types.includes(r.type)).map((r: RecordedResource) => ({ urn: r.urn, type: r.type, label: r.name }))
                : [{ urn: null, type: "stack", label: "(stack)" }];
        for (const v of found)
            if (v.urn && !subjects.some((s) => s.urn === v.urn)) {
                const r = records.find((x) => x.urn === v.urn);
                subjects.push({ urn: v.urn, type: r?.type ?? "resource", label: shortName(v.urn) });
            }
        const cases = subjects.map((s) => {
            tests++;
            const mine = found.filter((v) => (s.urn === null ? v.urn === null : v.urn === s.urn));
            const open = `    <testcase classname="${xml(`${name}.${s.type}`)}" name="${xml(s.label)}"${s.urn ? ` file="${xml(s.urn)}"` : ""}>`;
            if (mine.length > 0) {
                failures++;
                const body = mine.map((v) => `[${v.enforcementLevel}] ${v.message}`).join("\n");
                return `${open}\n      <failure type="${xml(mine[0].enforcementLevel)}" message="${xml(mine[0].message)}">${xml(body)}</failure>\n    </testcase>`;
            }
            if (undecided.some((u) => u.urn === s.urn)) {
                skipped++;
                return `${open}\n      <skipped message="${xml(undecided.find((u) => u.urn === s.urn)!.message)}"/>\n    </testcase>`;
            }
            return `${open}</testcase>`;
        });
        const suiteFailures = cases.filter((c) => c.includes("<failure")).length;
        const suiteSkipped = cases.filter((c) => c.includes("<skipped")).length;
        suites.push(
            `  <testsuite name="${xml(name)}" tests="${cases.length}" failures="${suiteFailures}" errors="0" skipped="${suiteSkipped}">\n${cases.join("\n")}${cases.length ? "\n" : ""}  </testsuite>`,
        );
    }
    return (
        `<?xml version="1.0" encoding="UTF-8"?>\n` +
        `<testsuites name="${TOOL_NAME}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">\n${suites.join("\n")}\n</testsuites>\n`
    );
}

export function isJunitReport(text: string): boolean {
    return text.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${TOOL_NAME}"`);
}

function cell(s: string): string {
    return s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Markdown: verdict, counts by enforcement level, violations table, resource counts by type. */
export function markdownReport(result: PlanResult): string {
    const d = result.document;
    const v = d.policy.violations;
    const mandatory = v.filter((x) => x.enforcementLevel === "mandatory").length;
    const lines = [
        MARKDOWN_SIGNATURE,
        `## ${planPassed(d) ? "✅" : "❌"} Offline plan: \`${d.stack}\` on ${d.target} (${d.environment}) — ${planPassed(d) ? "PASS" : "FAIL"}`,
        "",
        `${d.summary.resources} resources (${d.summary.components} components, ${d.summary.customResources} provider resources); ${d.policy.policiesRun} policies run with ${d.policy.configFile ? `\`${d.policy.configFile}\`` : "the pack defaults"}.`,
        "",
        "| enforcement | findings |",
        "|---|---|",
        `| mandatory | ${mandatory} |`,
        `| advisory | ${v.length - mandatory} |`,
        `| undecided | ${d.policy.undecided.length} |`,
        "",
    ];
    if (v.length > 0) {
        lines.push("### Findings", "", "| level | severity | policy | resource | message |", "|---|---|---|---|---|");
        const order = ["mandatory", "advisory"];
        for (const x of [...v].sort((a, b) => order.indexOf(a.enforcementLevel) - order.indexOf(b.enforcementLevel)))
            lines.push(
                `| ${x.enforcementLevel} | ${x.severity ?? "-"} | \`${x.policy}\` | ${x.urn ? `\`${cell(shortName(x.urn))}\`` : "stack"} | ${cell(x.message)} |`,
            );
        lines.push("");
    } else lines.push("No policy findings.", "");
    if (d.capacity) {
        lines.push(`### Capacity: ${d.capacity.passed ? "fits" : "does not fit"} the node pools`, "");
        for (const p of d.capacity.problems) lines.push(`- ${cell(p)}`);
        if (d.capacity.problems.length > 0) lines.push("");
    }
    if (d.preflight) {
        lines.push(
            `### Quota preflight: ${d.preflight.requests === 0 ? "nothing to request" : `${d.preflight.requests} quota increases to request before \`pulumi up\``} (${d.preflight.region}, new-account defaults)`,
            "",
            "| quota | code | needs | default | |",
            "|---|---|---|---|---|",
        );
        for (const c of d.preflight.checks)
            lines.push(
                `| ${cell(c.name)} | ${c.quotaCode ? `${c.service} ${c.quotaCode}` : c.service} | ${c.needed} | ${c.defaultValue} | ${c.status === "request" ? "**request**" : "ok"} |`,
            );
        lines.push("");
    }
    if (d.cost) {
        lines.push(
            `### Estimated cost: $${d.cost.monthly.total.toFixed(2)} a month (GPU $${d.cost.monthly.gpu.toFixed(2)}), ${d.cost.region}, prices of ${d.cost.pricesAsOf}`,
            "",
            "| component | USD a month |",
            "|---|---|",
        );
        for (const [c, usd] of Object.entries(d.cost.byComponent)) lines.push(`| ${cell(c)} | ${usd.toFixed(2)} |`);
        if (d.cost.unpriced.length > 0)
            lines.push("", `Unpriced: ${d.cost.unpriced.map((u) => `\`${cell(shortName(u.urn))}\` (${cell(u.reason)})`).join(", ")}`);
        lines.push("");
    }
    lines.push("<details><summary>Resources by type</summary>", "", "| type | count |", "|---|---|");
    for (const [t, n] of Object.entries(d.summary.byType).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) lines.push(`| \`${t}\` | ${n} |`);
    lines.push("", "</details>", "");
    return lines.join("\n");
}

export function isMarkdownReport(text: string): boolean {
    return text.startsWith(MARKDOWN_SIGNATURE);
}
