/**
 * Where a resource comes from in source: the file of the nearest component of this library
 * that contains it (found by the `typeToken("<target>", "<Component>")` each component file
 * declares), else the program's own entry file. Used as the location of SARIF results.
 */
import * as fs from "fs";
import * as path from "path";
import type { RecordedResource } from "../mocks";

const TOKEN_RE = /typeToken\)?\("(aws|kubernetes|index)", "(\w+)"\)/g;

function walk(dir: string, ext: string, out: string[] = []): string[] {
    if (!fs.existsSync(dir)) return out;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p, ext, out);
        else if (e.name.endsWith(ext) && !e.name.endsWith(".d.ts")) out.push(p);
    }
    return out;
}

/** A source location: a file and the line of the component's type token. */
export interface SourceLocation {
    file: string;
    line: number;
}

/**
 * Type token (`ragstack:aws:Database`) -> file and line, from the TypeScript sources when the
 * package is a checkout, else from its compiled JavaScript.
 */
export function componentSources(packageRoot: string): Map<string, SourceLocation> {
    const map = new Map<string, SourceLocation>();
    const ts = walk(path.join(packageRoot, "components"), ".ts");
    const files = ts.length > 0 ? ts : walk(path.join(packageRoot, "dist", "components"), ".js");
    for (const file of files) {
        const lines = fs.readFileSync(file, "utf8").split("\n");
        lines.forEach((text, i) => {
            for (const m of text.matchAll(TOKEN_RE)) if (!map.has(`ragstack:${m[1]}:${m[2]}`)) map.set(`ragstack:${m[1]}:${m[2]}`, { file, line: i + 1 });
        });
    }
    return map;
}

/** The location of a resource: its nearest library component's file, else `fallback`. */
export function locate(urn: string | null, records: RecordedResource[], sources: Map<string, SourceLocation>, fallback: SourceLocation): SourceLocation {
    const byUrn = new Map(records.map((r) => [r.urn, r]));
    for (let r = urn ? byUrn.get(urn) : undefined; r; r = r.parent ? byUrn.get(r.parent) : undefined) {
        const found = sources.get(r.type);
        if (found) return found;
    }
    return fallback;
}
