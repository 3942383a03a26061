/** The plan's architecture diagram (Mermaid): components, their resources, the traffic flows. */
import type { RecordedResource } from "../mocks";
import type { PlanResult } from "./result";

/** Mermaid flowchart: components as subgraphs with their resource counts, and the traffic flows. */
export function mermaid(result: PlanResult): string {
    const d = result.document;
    const lines = ["flowchart LR"];
    const comps = result.records.filter((r) => !r.custom && r.parent && result.records.find((p) => p.urn === r.parent && !p.parent) === undefined);
    const id = (s: string) => s.replace(/[^A-Za-z0-9]/g, "_");
    for (const c of comps) {
        const counts: Record<string, number> = {};
        for (const k of result.records.filter((x) => x.parent === c.urn && x.custom)) {
            const short = k.type.split(":").pop()!;
            counts[short] = (counts[short] ?? 0) + 1;
        }
        const label = `${c.type.split(":").pop()}<br/>${Object.entries(counts)
            .map(([t, n]) => `${n}× ${t}`)
            .slice(0, 6)
            .join("<br/>")}`;
        lines.push(`  ${id(c.name)}["${label}"]`);
    }
    const find = (suffix: string) => comps.find((c) => c.type.endsWith(`:${suffix}`));
    const link = (a?: RecordedResource, b?: RecordedResource, text?: string) => {
        if (a && b) lines.push(`  ${id(a.name)} -->|${text}| ${id(b.name)}`);
    };
    const edge = find("Edge");
    const frontend = find("Frontend");
    const apiPath = result.settings?.frontend.apiPath ?? "/api";
    if (frontend && d.target === "aws") {
        // The web front end: CloudFront serves the app from its bucket and sends the API path to the ALB.
        lines.splice(1, 0, `  users((Users)) -->|HTTPS 443| cdn`);
        lines.push(`  cdn{{"CloudFront + WAF"}}`);
        lines.push(`  cdn --- ${id(frontend.name)}`);
        lines.push(`  cdn -->|${apiPath}/* HTTPS 443, origin header| edge`);
    } else lines.splice(1, 0, `  users((Users)) -->|HTTPS 443| edge`);
    lines.push(`  edge{{"Edge (${d.target === "aws" ? "ALB + WAF" : "Gateway/Ingress"})"}}`);
    if (edge) lines.push(`  edge --- ${id(edge.name)}`);
    if (frontend && d.target !== "aws") lines.push(`  edge -->|/ 8080| ${id(frontend.name)}`);
    const api = find("ApiService") ?? find("Api");
    lines.push(`  edge -->|${frontend ? `${apiPath} ` : ""}8000| ${api ? id(api.name) : "api"}`);
    link(api, find("Database"), "5432 TLS");
    link(api, find("Cache"), "6379");
    link(api, find("Llm"), "11434");
    link(api, find("Storage") ?? find("ObjectStorage"), "S3 HTTPS");
    return lines.join("\n") + "\n";
}
