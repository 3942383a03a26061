/**
 * Generates docs/policies.md from the rules (names, severity, category, frameworks, remediation,
 * parameters). `npm run docs` writes it; a test fails when it is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { allRules, defaultEnforcement, EXCEPTIONS_REPORT_POLICY } from "../policies/lib";
import { componentPages } from "./component-docs";

export function policiesMarkdown(): string {
    const lines: string[] = [];
    lines.push("# Policy reference");
    lines.push("");
    lines.push("Generated from `policies/lib` by `npm run docs`; do not edit by hand.");
    lines.push("");
    lines.push(`${allRules.length} rules plus \`${EXCEPTIONS_REPORT_POLICY}\` (advisory: lists every exception used in a run).`);
    lines.push("Default level: encryption and least-privilege rules are `mandatory`, compliance and resilience rules `advisory`;");
    lines.push("`policies/config/production.json` makes every rule mandatory. Rules marked *production only* check only resources");
    lines.push("tagged `Environment=production` (AWS) or labelled `ragstack.io/environment=production` (Kubernetes).");
    lines.push("");
    for (const target of ["aws", "kubernetes"] as const) {
        lines.push(`## ${target === "aws" ? "AWS" : "Kubernetes"}`);
        lines.push("");
        lines.push("| rule | severity | category | default | frameworks | what it requires | remediation | parameters |");
        lines.push("|---|---|---|---|---|---|---|---|");
        for (const r of allRules.filter((x) => x.target === target)) {
            const fw = Object.entries(r.frameworks)
                .map(([k, v]) => `${k} ${(v ?? []).join(", ")}`)
                .join("; ");
            const params = Object.entries(r.params ?? {})
                .map(([k, p]) => `\`${k}\` (default \`${JSON.stringify(p.default)}\`)`)
                .join(", ");
            const kind = r.kind === "stack" ? " (stack policy)" : "";
            lines.push(
                `| \`${r.name}\` | ${r.severity} | ${r.category} | ${defaultEnforcement(r)} | ${fw} | ${r.description}${kind}${r.productionOnly ? " *Production only.*" : ""} | ${r.remediation} | ${params || "-"} |`,
            );
        }
        lines.push("");
    }
    return lines.join("\n");
}

export const POLICIES_DOC = path.join(__dirname, "..", "..", "docs", "policies.md");

export const COMPONENTS_DIR = path.join(__dirname, "..", "..", "docs", "components");

if (require.main === module) {
    fs.writeFileSync(POLICIES_DOC, policiesMarkdown());
    console.log(`wrote ${POLICIES_DOC}`);
    fs.rmSync(COMPONENTS_DIR, { recursive: true, force: true });
    fs.mkdirSync(COMPONENTS_DIR, { recursive: true });
    const pages = componentPages(path.join(__dirname, "..", ".."));
    for (const [file, text] of pages) fs.writeFileSync(path.join(COMPONENTS_DIR, file), text);
    console.log(`wrote ${pages.size} pages to ${COMPONENTS_DIR}`);
}
